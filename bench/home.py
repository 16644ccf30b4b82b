"""Figure 8: the home screen (`GET /v1/me/home`), not served by the proxy yet.

When the endpoint exists, this module measures it like the others and returns real checks;
until then the row is a skip, never a failure.
"""

from __future__ import annotations

from bench.context import Run
from bench.report import Check, skipped


def home(run: Run) -> list[Check]:
    """Figure 8."""
    return [skipped("8. Home screen", "not measured: no /v1/me/home endpoint")]
