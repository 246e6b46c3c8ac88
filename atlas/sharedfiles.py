"""Serialised files computed once across processes: the server's workers share them through the cache folder.

Each worker has its own memory caches, so a cold layer asked of two workers at once was serialised by both, and
every worker serialised it again after a restart. A file is instead written under the cache folder, in a folder
per build version, named by a digest of its key. The first process to take the key's lock (``fcntl.flock``, which
the kernel releases when a process dies) computes and writes it; the others wait for the lock, within the
request's deadline, and read what it wrote. The folder is bounded like the memory caches (entries and bytes, the
least recently used file first), and older versions' folders are removed when a build is loaded. A folder that
cannot be written is said once in the log and the file computed in the process, as before.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

from pydantic_settings import BaseSettings, SettingsConfigDict

from atlas.cache import CacheLimit, check_deadline

log = logging.getLogger("atlas.sharedfiles")
LOCK_POLL_S = 0.005
SHARED_DIR_NAME = "shared"


class SharedFileSettings(BaseSettings):
    """The bound of the shared files, set as ``ATLAS_SHARED_FILES__ENTRIES`` and ``ATLAS_SHARED_FILES__MB``
    (entries 0: nothing shared, every process computes its own)."""

    model_config = SettingsConfigDict(env_prefix="ATLAS_SHARED_", env_nested_delimiter="__", extra="ignore",
                                      nested_model_default_partial_update=True)

    files: CacheLimit = CacheLimit(entries=256, mb=1024)


class SharedFiles:
    def __init__(self, root: Path, limit: CacheLimit) -> None:
        self.root = root
        self.limit = limit
        self._said = False

    @classmethod
    def in_cache(cls, cache_dir: Path) -> SharedFiles:
        return cls(cache_dir / SHARED_DIR_NAME, SharedFileSettings().files)

    def remove_other_versions(self, version: str) -> None:
        """Folders of other builds (a server that still runs one rewrites what it needs)."""
        for folder in self.root.glob("*"):
            if folder.is_dir() and folder.name != version:
                shutil.rmtree(folder, ignore_errors=True)

    def get_or_compute(self, version: str, key: tuple, compute: Callable[[], tuple[dict, bytes]]) -> tuple[dict, bytes]:
        """(header, content) of `key`: read when written, else computed here or by the process holding its lock."""
        if self.limit.entries == 0:
            return compute()
        path = self.file(version, key)
        folder = path.parent
        found = _read(path)
        if found is not None:
            return found
        try:
            folder.mkdir(parents=True, exist_ok=True)
            lock = open(path.with_suffix(".lock"), "a")  # noqa: SIM115  (held across the computation below)
        except OSError as exc:
            self._say(folder, exc)
            return compute()
        with lock:
            _wait_for_lock(lock)
            found = _read(path)  # written by the process that held the lock
            if found is not None:
                return found
            header, content = compute()
            try:
                staging = path.with_suffix(f".{os.getpid()}.part")
                staging.write_bytes(json.dumps(header).encode() + b"\n" + content)
                staging.replace(path)
            except OSError as exc:
                self._say(folder, exc)
                with contextlib.suppress(OSError):
                    staging.unlink()
            else:
                self._bound(folder)
            return header, content

    def file(self, version: str, key: tuple) -> Path:
        """Where `key` is kept; its lock is the same name with `.lock`."""
        return self.root / version / hashlib.sha256(repr(key).encode()).hexdigest()[:32]

    def _bound(self, folder: Path) -> None:
        files = []
        for path in folder.glob("*"):
            if path.suffix == "":
                with contextlib.suppress(FileNotFoundError):
                    stat = path.stat()
                    files.append((stat.st_mtime, stat.st_size, path))
        files.sort()
        total = sum(size for _, size, _ in files)
        while files and (len(files) > self.limit.entries or total > self.limit.max_bytes):
            _, size, path = files.pop(0)
            total -= size
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                path.with_suffix(".lock").unlink()

    def _say(self, folder: Path, exc: OSError) -> None:
        if not self._said:
            self._said = True
            log.warning("cannot share files in %s (%s); each process computes its own", folder, exc.strerror or exc)


def _wait_for_lock(lock: IO[str]) -> None:
    """Polled, so a request whose time is up stops waiting (TimedOut) instead of holding a worker thread."""
    while True:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            check_deadline()
            time.sleep(LOCK_POLL_S)


def _read(path: Path) -> tuple[dict, bytes] | None:
    """The stored (header, content); its time is set to now, so the bound drops the least recently used first."""
    try:
        stored = path.read_bytes()
    except OSError:  # not written yet, or no folder to read (said when writing fails)
        return None
    with contextlib.suppress(OSError):  # a read-only folder still serves what it holds
        os.utime(path)
    header, _, content = stored.partition(b"\n")
    try:
        return json.loads(header), content
    except ValueError:  # not written by this module: computed again, and replaced
        return None
