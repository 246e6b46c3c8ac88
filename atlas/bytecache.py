"""A least-recently-used cache bounded by the bytes of what it holds (tiles, layer files, responses).

The atlas's data never changes while it runs, so anything derived from a request's parameters can be
kept; the bound keeps memory predictable on a small server.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Generic, Protocol, TypeVar


class Sized(Protocol):
    @property
    def content(self) -> bytes: ...  # read-only, so frozen dataclasses qualify


T = TypeVar("T", bound=Sized)


class ByteCache(Generic[T]):
    """A least-recently-used store bounded by the bytes of its items, safe to share between threads."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.bytes = 0
        self._items: OrderedDict[str, T] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> T | None:
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
            return item

    def put(self, key: str, item: T) -> None:
        with self._lock:
            if key in self._items or len(item.content) > self.max_bytes:
                return
            self._items[key] = item
            self.bytes += len(item.content)
            while self.bytes > self.max_bytes:
                _, dropped = self._items.popitem(last=False)
                self.bytes -= len(dropped.content)

    def __len__(self) -> int:
        return len(self._items)
