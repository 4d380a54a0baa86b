"""Answers to repeated SPARQL queries, kept in a bounded cache: the release never changes while served.

Public endpoints see the same few queries again and again (the canned ones, the pages' own).
The embedded store is read-only for the server's lifetime, so an answer depends only on the
request: the query text, the dataset parameters and the negotiated media type. The cache is
bounded by the bytes it holds (``--answer-cache-bytes``); an answer larger than a
sixty-fourth of it is never kept, and the least recently used answers go first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

Answer = TypeVar("Answer")


class AnswerCache(Generic[Answer]):
    """A least-recently-used map whose total size in bytes never exceeds ``capacity``."""

    def __init__(self, capacity: int):
        self.capacity = max(0, capacity)
        self.largest = self.capacity // 64
        self.size = 0
        self.hits = self.misses = 0  # for /metrics
        self._entries: OrderedDict[Hashable, tuple[Answer, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Answer | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self.hits += 1
            self._entries.move_to_end(key)
            return entry[0]

    def put(self, key: Hashable, answer: Answer, size: int) -> None:
        """Keep ``answer`` (``size`` bytes, key included) unless it is too large to be worth it."""
        if size > self.largest:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.size -= old[1]
            self._entries[key] = (answer, size)
            self.size += size
            while self.size > self.capacity:
                _, (_, dropped) = self._entries.popitem(last=False)
                self.size -= dropped

    def __len__(self) -> int:
        return len(self._entries)
