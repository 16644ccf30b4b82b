"""Where the app reads the time, so that tests can move it instead of sleeping."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Clock:
    """Wall-clock seconds (cache ages and freshness) and monotonic seconds (outage windows).

    Budgets and locks keep Redis `TIME` and real waits: they must agree across replicas.
    """

    wall: Callable[[], float] = time.time
    monotonic: Callable[[], float] = time.monotonic


SYSTEM_CLOCK = Clock()
