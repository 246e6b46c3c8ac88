"""Memory of `atlas serve` with one worker against two (and more), measured as proportional set size.

Resident size counts a page shared by two processes twice; PSS splits it between them, so the sum of PSS
over the master and its workers is what the machine really gives the server. Each server is started
fresh, answers the same warm-up requests (a layer, values, tiles, profiles; repeated so both workers get
some) and is then measured.

    .venv/bin/python bench/workers_memory.py [--workers 1 2 4]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from loadclient import free_port

from atlas.data import load_atlas
from atlas.settings import REPO_ROOT

MiB = 2**20
WARM = ["/api/v1/layers/gemeente?simplify=100", "/api/v1/indicators/population/values?level=gemeente",
        "/api/v1/tiles/gemeente/population/7/65/42.png", "/api/v1/regions/GM0344",
        "/api/v1/regions/PV30"]


def _tree(root: int) -> list[int]:
    """The server process and every process below it."""
    children: dict[int, list[int]] = {}
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                parent = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError):
                continue
            children.setdefault(parent, []).append(int(proc.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def _pss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) * 1024
    return 0


def measure(workers: int) -> tuple[int, int]:
    """Total PSS and number of processes of a warmed-up server with this many workers."""
    port = free_port()
    env = {**os.environ, "ATLAS_ACCESS_LOG": "false"}
    command = [sys.executable, "-m", "atlas.cli", "serve", "--port", str(port), "--workers", str(workers)]
    process = subprocess.Popen(command, env=env, cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 180
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=5).read()
                break
            except OSError:
                if time.time() > deadline or process.poll() is not None:
                    raise RuntimeError("server did not start") from None
                time.sleep(0.5)
        statuses = []
        for _ in range(3 * workers):
            for path in WARM:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=120) as response:
                        statuses.append(response.status)
                except urllib.error.HTTPError as refused:  # a busy server's 503 still warmed what it touched
                    statuses.append(refused.code)
        print(f"{workers} worker(s) warm-up statuses: {sorted(set(statuses))}")
        pids = _tree(process.pid)
        return sum(_pss(pid) for pid in pids), len(pids)
    finally:
        process.terminate()
        process.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    load_atlas()  # build the cache once, so every server only reads it
    results = {n: measure(n) for n in args.workers}
    base = results[args.workers[0]][0]
    for n, (pss, processes) in results.items():
        print(f"{n} worker(s): {processes} processes, total PSS {pss / MiB:.0f} MiB, "
              f"{pss / base:.2f}x {args.workers[0]} worker(s)")


if __name__ == "__main__":
    main()
