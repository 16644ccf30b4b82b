"""Replay protection: a nonce is remembered only while its timestamp is still acceptable."""

from __future__ import annotations

import heapq
import threading

NonceKey = tuple[str, str, str, str]


class NonceCache:
    """Seen (consumer key, token, timestamp, nonce) tuples, bounded in time and in size."""

    def __init__(self, tolerance_s: float, max_entries: int = 200_000) -> None:
        self._tolerance = tolerance_s
        self._max = max_entries
        self._lock = threading.Lock()
        self._seen: set[NonceKey] = set()
        self._expiry: list[tuple[float, NonceKey]] = []

    def __len__(self) -> int:
        return len(self._seen)

    def check_and_add(self, key: NonceKey, timestamp: float, now: float) -> bool:
        """Record a nonce; False if the same one was already used within its window."""
        with self._lock:
            while self._expiry and self._expiry[0][0] < now:
                self._seen.discard(heapq.heappop(self._expiry)[1])
            if key in self._seen:
                return False
            while len(self._expiry) >= self._max:
                self._seen.discard(heapq.heappop(self._expiry)[1])
            self._seen.add(key)
            heapq.heappush(self._expiry, (timestamp + self._tolerance, key))
            return True
