"""Files computed once across processes (atlas.sharedfiles): processes asking at once compute once, the folder
stays within its bound, a waiting request respects its deadline, an unwritable folder only costs sharing, and
layer downloads go through it."""

from __future__ import annotations

import dataclasses
import fcntl
import logging
import multiprocessing
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from atlas import sharedfiles
from atlas.cache import AtlasCaches, CacheLimit, deadline
from atlas.errors import TimedOut
from atlas.render import layers
from atlas.sharedfiles import SharedFiles

LIMIT = CacheLimit(entries=8, mb=1)


def _ask(root: Path, counter: Path, out: Path) -> None:
    """One process: asks for the key; the computation (slow, so the others arrive while it runs) is counted."""
    def compute() -> tuple[dict, bytes]:
        with counter.open("a") as f:
            f.write("computed\n")
        time.sleep(0.5)
        return {"media_type": "text/plain"}, b"x" * 5000

    header, content = SharedFiles(root, LIMIT).get_or_compute("v1", ("layer", "gemeente"), compute)
    out.write_bytes(header["media_type"].encode() + b"|" + content)


def test_processes_asking_at_once_compute_once(tmp_path):
    counter = tmp_path / "counter"
    context = multiprocessing.get_context("fork")
    outs = [tmp_path / f"out{i}" for i in range(3)]
    processes = [context.Process(target=_ask, args=(tmp_path / "shared", counter, out)) for out in outs]
    for process in processes:
        process.start()
    for process in processes:
        process.join(30)
    assert [p.exitcode for p in processes] == [0, 0, 0]
    assert counter.read_text() == "computed\n"
    assert {out.read_bytes() for out in outs} == {b"text/plain|" + b"x" * 5000}


def test_the_folder_keeps_the_most_recently_used_within_its_bound(tmp_path):
    shared = SharedFiles(tmp_path, CacheLimit(entries=2, mb=1))
    computed: list[str] = []

    def ask(key: str) -> bytes:
        def compute() -> tuple[dict, bytes]:
            computed.append(key)
            return {}, key.encode() * 100
        return shared.get_or_compute("v1", (key,), compute)[1]

    ask("a")
    time.sleep(0.01)
    ask("b")
    time.sleep(0.01)
    assert ask("a") == b"a" * 100  # read, and now the most recently used
    time.sleep(0.01)
    ask("c")
    assert len([p for p in (tmp_path / "v1").iterdir() if p.suffix == ""]) == 2
    assert ask("a") == b"a" * 100 and ask("c") == b"c" * 100 and computed == ["a", "b", "c"]
    assert ask("b") == b"b" * 100 and computed == ["a", "b", "c", "b"]  # b was dropped
    over = SharedFiles(tmp_path / "small", CacheLimit(entries=10, mb=0.001))  # 1,048 bytes
    over.get_or_compute("v1", ("big",), lambda: ({}, b"y" * 2000))
    assert [p for p in (tmp_path / "small" / "v1").iterdir() if p.suffix == ""] == []


def test_a_request_waiting_past_its_deadline_stops(tmp_path):
    shared = SharedFiles(tmp_path, LIMIT)
    lock_path = shared.file("v1", ("slow",)).with_suffix(".lock")
    lock_path.parent.mkdir()
    with lock_path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another process computing this key
        started = time.monotonic()
        with pytest.raises(TimedOut), deadline(0.1):
            shared.get_or_compute("v1", ("slow",), lambda: pytest.fail("computed while another process holds it"))
        assert time.monotonic() - started < 5


def test_an_unwritable_folder_computes_in_the_process_and_says_so_once(tmp_path, caplog):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    shared = SharedFiles(blocker / "shared", LIMIT)
    with caplog.at_level(logging.WARNING, logger="atlas.sharedfiles"):
        answers = [shared.get_or_compute("v1", ("k",), lambda: ({"n": 1}, b"z")) for _ in range(3)]
    assert answers == [({"n": 1}, b"z")] * 3
    assert len(caplog.records) == 1 and caplog.records[0].getMessage().startswith("cannot share files in")


def test_other_versions_folders_are_removed(tmp_path):
    shared = SharedFiles(tmp_path, LIMIT)
    for version in ("old", "current"):
        shared.get_or_compute(version, ("k",), lambda: ({}, b"1"))
    shared.remove_other_versions("current")
    assert [p.name for p in tmp_path.iterdir()] == ["current"]


def test_a_layer_written_by_one_process_is_read_by_another(data, monkeypatch):
    assert data.shared_files is not None
    first = TestClient(create_app(data)).get("/api/v1/layers/corop?format=gpkg&year=2019")
    assert first.status_code == 200
    other = dataclasses.replace(data, caches=AtlasCaches.from_settings())  # a second worker: its own memory
    other.shared_files = data.shared_files
    monkeypatch.setattr(layers, "export_layer", lambda *a, **k: pytest.fail("serialised again"))
    again = TestClient(create_app(other)).get("/api/v1/layers/corop?format=gpkg&year=2019")
    assert again.status_code == 200 and again.content == first.content
    assert again.headers["content-disposition"] == first.headers["content-disposition"]
    assert again.headers["content-type"] == first.headers["content-type"]
    copy = dataclasses.replace(data)  # other content under the same version never shares
    assert copy.shared_files is None and sharedfiles.SHARED_DIR_NAME == "shared"
