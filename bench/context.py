"""What every figure of one run shares: the settings, the long-lived servers, the title answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bench.processes import Server

# The catalog size of the emulator behind the throughput, latency and coalescing figures.
CATALOG_SIZE = 300


@dataclass
class Run:
    """One benchmark run; figures add their throughputs (req/s by name) for the chart."""

    quick: bool
    token: str
    workdir: Path
    redis_url: str
    key: str
    emulator: Server
    title_path: str = ""
    title_body: bytes = b""
    throughput: dict[str, float] = field(default_factory=dict)

    @property
    def wrk_seconds(self) -> float:
        return 2.0 if self.quick else 5.0

    def scaled(self, full: int, quick: int) -> int:
        """`full` in a full run, `quick` in a smoke run."""
        return quick if self.quick else full
