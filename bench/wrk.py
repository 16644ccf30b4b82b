"""Drive a server with wrk (`-t1 -c32`, latency distribution on) and read its summary."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}
_PERCENTILE_RE = re.compile(r"^\s*(50|75|90|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s|m)\s*$", re.M)
_RATE_RE = re.compile(r"^Requests/sec:\s+([\d.]+)\s*$", re.M)
_TOTAL_RE = re.compile(r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m),", re.M)
_NON_2XX_RE = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
_SOCKET_RE = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")


@dataclass(frozen=True)
class WrkResult:
    """What one wrk run measured; `errors` counts non-2xx answers and socket errors."""

    requests: int
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    errors: int


def parse_wrk(output: str) -> WrkResult:
    """Read wrk's summary (run with `--latency`); ValueError when a figure is missing."""
    rate = _RATE_RE.search(output)
    total = _TOTAL_RE.search(output)
    percentiles = {m[1]: float(m[2]) * _UNITS_MS[m[3]] for m in _PERCENTILE_RE.finditer(output)}
    if rate is None or total is None or "50" not in percentiles or "99" not in percentiles:
        raise ValueError(f"not a wrk --latency summary:\n{output}")
    non_2xx = _NON_2XX_RE.search(output)
    sockets = _SOCKET_RE.search(output)
    errors = int(non_2xx[1]) if non_2xx else 0
    errors += sum(int(n) for n in sockets.groups()) if sockets else 0
    return WrkResult(
        requests=int(total[1]),
        requests_per_s=float(rate[1]),
        p50_ms=percentiles["50"],
        p99_ms=percentiles["99"],
        errors=errors,
    )


def wrk_version() -> str:
    """The first line wrk prints about itself."""
    binary = shutil.which("wrk")
    if binary is None:
        return "missing"
    done = subprocess.run([binary, "--version"], capture_output=True, text=True, check=False)
    lines = (done.stdout + done.stderr).splitlines() or [""]
    return lines[0].split(" Copyright")[0].removeprefix("wrk ").strip()


def run_wrk(url: str, *, seconds: float, connections: int = 32) -> WrkResult:
    """One wrk run against `url` (one thread); RuntimeError when any request failed."""
    binary = shutil.which("wrk")
    if binary is None:
        raise RuntimeError("wrk is not installed (apt-get install wrk, or `make bench`)")
    command = [binary, "-t1", f"-c{connections}", f"-d{seconds:g}s", "--latency", url]
    done = subprocess.run(
        command, capture_output=True, text=True, check=False, timeout=seconds + 60
    )
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr}")
    result = parse_wrk(done.stdout)
    if result.errors:
        raise RuntimeError(f"{url}: {result.errors} failed requests under wrk:\n{done.stdout}")
    return result
