"""The results chart (PNG): hit throughput of each server, and each figure against its target."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter

from bench.report import Check, Verdict

_HEADROOM_TICKS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 10.0)
_COLOURS = {Verdict.MET: "#2e7d32", Verdict.MISSED: "#c62828"}


def write_chart(
    path: Path, throughput: Mapping[str, float], checks: Sequence[Check], title: str
) -> None:
    """Two panels: requests/s by server; measured/target per figure (log scale, 1 = met)."""
    measured = [c for c in checks if c.headroom is not None]
    figure, (rates, targets) = plt.subplots(
        1, 2, figsize=(13, max(4.0, 0.45 * len(measured) + 1.5)), width_ratios=(1, 1.3)
    )
    names = list(throughput)
    rates.barh(names, [throughput[n] for n in names], color="#1565c0")
    rates.invert_yaxis()
    rates.set_xlabel("requests/s (wrk -t1 -c32)")
    rates.set_title("Throughput of one answer")
    for row, name in enumerate(names):
        rates.text(throughput[name], row, f" {throughput[name]:,.0f}", va="center", fontsize=8)

    labels = [c.figure for c in measured]
    scores = [c.headroom or 0.0 for c in measured]
    targets.barh(labels, scores, color=[_COLOURS[c.verdict] for c in measured])
    targets.axvline(1.0, color="black", linewidth=1)
    targets.set_xscale("log")
    targets.xaxis.set_major_locator(FixedLocator(_HEADROOM_TICKS))
    targets.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}x"))
    targets.xaxis.set_minor_formatter(NullFormatter())
    targets.invert_yaxis()
    targets.set_xlabel("measured / target (right of the line: target met)")
    targets.set_title("Figures against their targets")
    targets.tick_params(axis="y", labelsize=8)
    figure.suptitle(title, fontsize=9)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    plt.close(figure)
