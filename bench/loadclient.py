"""Shared benchmark machinery: run the atlas server in its own process and load it from a lean client.

The server runs in a separate process (as in production) and also serves a folder of static files, so
every benchmark can compare an endpoint with the same bytes sent as a file by the same server in the
same run. The client speaks just enough HTTP/1.1 over keep-alive connections to stay out of the way of
the measurement on a two-core machine.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from api.settings import ApiSettings
from atlas.settings import get_settings
from atlas.sharedfiles import SHARED_DIR_NAME

BENCH_DIR = Path(__file__).resolve().parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """`python bench/serve.py` on 127.0.0.1 with `static_dir` mounted at /bench-static, started cold."""

    def __init__(self, static_dir: Path, env: dict[str, str] | None = None):
        self.port = free_port()
        self.static_dir = static_dir
        self.env = {**os.environ, **(env or {})}
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> ServerProcess:
        # cold means computed: the files a previous server's workers shared (atlas.sharedfiles) go first
        shutil.rmtree(get_settings().cache_dir / SHARED_DIR_NAME, ignore_errors=True)
        command = [sys.executable, str(BENCH_DIR / "serve.py"), "--port", str(self.port),
                   "--static", str(self.static_dir)]
        with (self.static_dir / "server.log").open("a") as log:  # gunicorn's lines, not between the results
            self.process = subprocess.Popen(command, env=self.env, stdout=subprocess.DEVNULL, stderr=log)
        deadline = time.time() + 120
        workers = int(self.env.get("ATLAS_WORKERS") or ApiSettings().workers)
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(self.base + "/api/v1/health", timeout=2):
                    pass
                if workers == 1 or self._listening() >= workers:
                    return self
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(f"benchmark server exited during start: {self.static_dir / 'server.log'}") from None
            time.sleep(0.2)
        raise RuntimeError(f"benchmark server did not start within 120 s: {self.static_dir / 'server.log'}")

    def _listening(self) -> int:
        """Sockets listening on the port: one per worker that serves (api.prefork). Measuring starts when every
        worker does, so the first requests do not share the cores with the last workers' start."""
        local = f"0100007F:{self.port:04X}"
        lines = Path("/proc/net/tcp").read_text().splitlines()[1:]
        return sum(1 for line in lines if line.split()[1] == local and line.split()[3] == "0A")  # 0A: LISTEN

    def __exit__(self, *exc: object) -> None:
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=30)

    def rss_mb(self) -> float:
        """The server's resident memory now (Linux)."""
        assert self.process is not None
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(next(line for line in status.splitlines() if line.startswith("VmRSS:")).split()[1]) / 1024

    def get(self, path: str) -> bytes:
        with urllib.request.urlopen(self.base + path, timeout=120) as response:
            return response.read()


@dataclass
class LoadResult:
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    elapsed_s: float = 0.0
    statuses: dict[int, int] = field(default_factory=dict)

    @property
    def throughput(self) -> float:
        return len(self.latencies_ms) / self.elapsed_s if self.elapsed_s else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]

    def summary(self) -> str:
        return (f"{len(self.latencies_ms):7d} req {self.throughput:8.1f} req/s  p50 {self.percentile(50):7.2f}  "
                f"p95 {self.percentile(95):7.2f}  p99 {self.percentile(99):7.2f} ms  errors {self.errors}")


async def _request(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str,
                   headers: str = "") -> tuple[int, bytes]:
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}\r\n".encode())
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    fields = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:] if ":" in line)}
    if fields.get("transfer-encoding") == "chunked":
        body = b""
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                return status, body
            body += chunk[:-2]
    return status, await reader.readexactly(int(fields.get("content-length", "0")))


async def _client(port: int, next_path: Callable[[], str | None], stop: float, result: LoadResult,
                  headers: str) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < stop and (path := next_path()) is not None:
            start = time.perf_counter()
            try:
                status, _ = await _request(reader, writer, path, headers)
            except (OSError, asyncio.IncompleteReadError, ValueError):
                result.errors += 1
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                continue
            result.statuses[status] = result.statuses.get(status, 0) + 1
            if status >= 400:
                result.errors += 1
            result.latencies_ms.append((time.perf_counter() - start) * 1000)
    finally:
        writer.close()


def _header_lines(headers: dict[str, str] | None) -> str:
    return "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())


def run_load(port: int, paths: list[str], clients: int, seconds: float, limit: int | None = None,
             headers: dict[str, str] | None = None) -> LoadResult:
    """`clients` keep-alive connections, each cycling through `paths` from its own offset, for `seconds`."""
    result = LoadResult()

    def cycling(offset: int) -> Callable[[], str | None]:
        position = itertools.count(offset)
        return lambda: (None if limit is not None and len(result.latencies_ms) >= limit
                        else paths[next(position) % len(paths)])

    async def main() -> None:
        started = time.perf_counter()
        stop = started + seconds
        step = max(1, len(paths) // clients)
        await asyncio.gather(*(_client(port, cycling(c * step), stop, result, _header_lines(headers))
                               for c in range(clients)))
        result.elapsed_s = time.perf_counter() - started

    asyncio.run(main())
    return result


def run_once(port: int, paths: list[str], clients: int, headers: dict[str, str] | None = None) -> LoadResult:
    """Every path requested exactly once, the connections taking the next one as each finishes (a cold run)."""
    result = LoadResult()
    queue = iter(paths)

    async def main() -> None:
        started = time.perf_counter()
        await asyncio.gather(*(_client(port, lambda: next(queue, None), math.inf, result, _header_lines(headers))
                               for _ in range(clients)))
        result.elapsed_s = time.perf_counter() - started

    asyncio.run(main())
    return result


def median_p95(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[int(round(0.95 * (len(ordered) - 1)))]


@dataclass
class WrkResult:
    """What wrk measured, read as a LoadResult is (throughput, percentile, errors)."""

    requests: int
    elapsed_s: float
    percentiles_ms: dict[float, float]
    errors: int

    @property
    def throughput(self) -> float:
        return self.requests / self.elapsed_s if self.elapsed_s else 0.0

    def percentile(self, p: float) -> float:
        return self.percentiles_ms[p]


WRK_SCRIPT = """
paths = {%s}
local threads = 0
function setup(thread) thread:set("id", threads); threads = threads + 1 end
function init(args) counter = id * 7919 end
%s
request = function() counter = counter + 1; return wrk.format(nil, paths[(counter %% #paths) + 1]) end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK %%d %%d %%d %%.3f %%.3f\\n", summary.requests, summary.duration,
    e.connect + e.read + e.write + e.status + e.timeout, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
"""


def run_wrk(port: int, paths: list[str], clients: int, seconds: float,
            headers: dict[str, str] | None = None) -> WrkResult:
    """`clients` keep-alive connections from wrk (C, two threads: the client the issue's figures were measured
    with), cycling through `paths`; a Python client tops out near 3,000 responses a second on this machine,
    which hides any server faster than that."""
    quoted = ", ".join('"' + p.replace("\\", "\\\\").replace('"', '\\"') + '"' for p in paths)
    header_lines = "\n".join(f'wrk.headers["{k}"] = "{v}"' for k, v in (headers or {}).items())
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % (quoted, header_lines))
    try:
        output = subprocess.run(
            ["wrk", "-t", str(min(2, clients)), "-c", str(clients), "-d", f"{seconds}s", "-s", script.name,
             f"http://127.0.0.1:{port}"], capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script.name)
    requests, duration_us, errors, p50, p99 = next(line for line in output.splitlines() if line.startswith("WRK ")).split()[1:]
    return WrkResult(int(requests), int(duration_us) / 1e6, {50: float(p50), 99: float(p99)}, int(errors))
