"""Reading the emulator's arrivals log (`--arrivals-log`): when each caller's calls arrived."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path


def most_in_any_window(times: list[float], window_s: float) -> int:
    """The largest number of times inside one window `[t, t + window_s)` starting at a time."""
    ordered = sorted(times)
    return max(
        (
            sum(1 for other in ordered if start <= other < start + window_s - 1e-6)
            for start in ordered
        ),
        default=0,
    )


def arrivals(log: Path) -> dict[str, dict[str, list[float]]]:
    """Caller (hashed) -> outcome (`ok`, `qps`, `day`) -> arrival times, from the log."""
    found: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    if not log.exists():
        return {}
    for line in log.read_text().splitlines():
        at, caller, outcome = line.split()
        found[caller][outcome].append(float(at))
    return found


def refusals(log: Path) -> int:
    """How many calls the emulator refused as over its per-second limit."""
    return sum(len(by_outcome.get("qps", [])) for by_outcome in arrivals(log).values())
