"""A clock that moves only when a test says so, for code that takes a `clock` callable."""

from __future__ import annotations

import time


class ManualClock:
    """Seconds the test moves by hand, starting at the real time."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move time forward."""
        self.now += seconds
