"""The benchmark's verdicts: one row per figure with its target, and the table they print as.

A `Check` holds a measured value and a target; the verdict follows from them, so a row can
never claim a pass its numbers do not show. A figure that cannot be measured yet is a skip.
"""

from __future__ import annotations

import operator
import os
import platform
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

_COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
}
_SIGNS = {">=": "≥", "<=": "≤", "<": "<", "==": "="}


class Verdict(Enum):
    MET = "pass"
    MISSED = "FAIL"
    SKIPPED = "skip"


@dataclass(frozen=True)
class Check:
    """One figure against its target: `value` compared with `target` by `compare` (one of
    `_COMPARISONS`); `value` None means not measured (`detail` says why)."""

    figure: str
    value: float | None
    compare: str
    target: float
    unit: str
    detail: str

    @property
    def verdict(self) -> Verdict:
        if self.value is None:
            return Verdict.SKIPPED
        met = _COMPARISONS[self.compare](self.value, self.target)
        return Verdict.MET if met else Verdict.MISSED

    @property
    def measured(self) -> str:
        if self.value is None:
            return "not measured"
        shown = self._format(self.value)
        if shown == self._format(self.target) and self.verdict is Verdict.MISSED:
            shown = f"{self.value:.4f}"  # a miss by less than the rounding shows by how much
        return f"{shown}{self.unit}"

    @property
    def wanted(self) -> str:
        return f"{_SIGNS[self.compare]} {self._format(self.target)}{self.unit}"

    @property
    def headroom(self) -> float | None:
        """How far past the target (above 1) or short of it (below 1); an exact target met
        is 1, missed is below 1."""
        if self.value is None or self.value <= 0 or self.target <= 0:
            return None
        if self.compare == "==":
            return min(self.value / self.target, self.target / self.value)
        return self.value / self.target if self.compare == ">=" else self.target / self.value

    def _format(self, value: float) -> str:
        if self.unit.startswith("x"):
            return f"{value:.2f}"
        if value == int(value):
            return f"{int(value):,}"
        return f"{value:.2f}" if abs(value) < 100 else f"{value:,.0f}"


def skipped(figure: str, reason: str) -> Check:
    """A figure that is not measured (a skip, not a failure)."""
    return Check(figure, None, ">=", 0.0, "", reason)


_HEADER = ("Figure", "Measured", "Target", "Result", "Detail")


def _cells(check: Check) -> tuple[str, str, str, str, str]:
    return (
        check.figure,
        check.measured,
        check.wanted if check.value is not None else "",
        check.verdict.value,
        check.detail,
    )


def render_text(checks: Sequence[Check]) -> str:
    """The table as aligned columns for a terminal."""
    rows = [_HEADER, *(_cells(c) for c in checks)]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row[:4], widths, strict=True))
        + "  "
        + row[4]
        for row in rows
    )


def render_markdown(checks: Sequence[Check]) -> str:
    """The table as Markdown (the committed results file)."""
    rows = [_HEADER, ("---",) * 5, *(_cells(c) for c in checks)]
    return "\n".join(
        "| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows
    )


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine(tools: dict[str, str]) -> str:
    """One line about the machine and the tools the figures depend on."""
    parts = [
        f"{os.cpu_count()} cores",
        _cpu_model(),
        f"Python {platform.python_version()}",
        *(f"{name} {version}" for name, version in tools.items()),
    ]
    return ", ".join(parts)
