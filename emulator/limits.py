"""Netflix's request quotas: a few calls per second and a daily budget per caller.

The caller is the access token for subscriber calls and the consumer key otherwise. Over-limit
calls are refused with 403 status documents and Mashery's `X-Mashery-Error-Code` header, as the
API's gateway answered; refused calls do not count. Time comes from the instance clock.
"""

from __future__ import annotations

import hashlib
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from emulator.config import EmulatorConfig
from emulator.http import NetflixError

DAY_S = 86_400
QPS_MESSAGE = "Service is over queries per second limit"
DAILY_MESSAGE = "Over queries per day limit"
QPS_CODE = "ERR_403_DEVELOPER_OVER_QPS"
DAILY_CODE = "ERR_403_DEVELOPER_OVER_RATE"


@dataclass(slots=True)
class _Usage:
    recent: deque[float] = field(default_factory=deque)
    day: int = -1
    day_count: int = 0


class RateLimiter:
    """A sliding one-second window and a fixed UTC-day window per caller; thread-safe."""

    def __init__(self, config: EmulatorConfig, clock: Callable[[], float]) -> None:
        self._enabled = config.rate_limits
        self._per_second = config.per_second_limit
        self._per_day = config.per_day_limit
        self._arrivals_log = config.arrivals_log
        self._clock = clock
        self._lock = threading.Lock()
        self._usage: dict[str, _Usage] = {}
        self._current_day = -1

    def hit(self, caller: str) -> None:
        """Count one call by `caller`, or raise a 403 NetflixError when over a limit."""
        if not self._enabled:
            return
        now = self._clock()
        day = int(now // DAY_S)
        with self._lock:
            if day != self._current_day:
                # A new day: every daily count restarts, so stale callers can be dropped.
                self._usage = {
                    k: u for k, u in self._usage.items() if u.recent and now - u.recent[-1] < 1.0
                }
                self._current_day = day
            usage = self._usage.setdefault(caller, _Usage())
            while usage.recent and now - usage.recent[0] >= 1.0:
                usage.recent.popleft()
            if usage.day != day:
                usage.day, usage.day_count = day, 0
            if len(usage.recent) >= self._per_second:
                self._log_arrival(now, caller, "qps")
                raise NetflixError(403, QPS_MESSAGE, headers={"X-Mashery-Error-Code": QPS_CODE})
            if usage.day_count >= self._per_day:
                self._log_arrival(now, caller, "day")
                raise NetflixError(403, DAILY_MESSAGE, headers={"X-Mashery-Error-Code": DAILY_CODE})
            usage.recent.append(now)
            usage.day_count += 1
            self._log_arrival(now, caller, "ok")

    def _log_arrival(self, now: float, caller: str, outcome: str) -> None:
        if self._arrivals_log:
            who = hashlib.sha256(caller.encode()).hexdigest()[:16]
            with open(self._arrivals_log, "a", encoding="utf-8") as log:
                log.write(f"{now:.6f} {who} {outcome}\n")
