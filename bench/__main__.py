"""`python -m bench` (`make bench`): the proxy over TCP against what users would run instead.

One run starts a private Redis, the emulator, nginx, a bare FastAPI app and proxy processes
(`netflix-proxy serve`), measures each figure against its target and prints the table; the
table (Markdown) and a chart (PNG) are written to `--output`. Ratios are measured within one
run, so they hold on the machine that ran them; absolute numbers are context only.
`--quick` is a smoke run (short wrk runs, smaller catalog and workloads); `--only NAME` runs
some figures alone (written apart, under `partial/`).
`python -m bench.inprocess` is the in-process front-tier benchmark.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from cryptography.fernet import Fernet

from bench.chart import write_chart
from bench.coalescing import coalescing
from bench.context import CATALOG_SIZE, Run
from bench.home import home
from bench.index_stream import index
from bench.miss import misses
from bench.parsing import normalizing
from bench.processes import emulator, nginx_version, redis
from bench.report import Check, machine, render_markdown, render_text
from bench.scaling import scaling
from bench.throughput import hits, title_answer
from bench.wrk import wrk_version

FIGURES: tuple[Callable[[Run], list[Check]], ...] = (
    hits,
    misses,
    normalizing,
    index,
    coalescing,
    scaling,
    home,
)
DEFAULT_OUTPUT = Path(__file__).parent / "results"


def measure(
    quick: bool, figures: Sequence[Callable[[Run], list[Check]]] = FIGURES
) -> tuple[Run, list[Check]]:
    """Start the shared servers, then run each figure in turn (each starts what it needs)."""
    checks: list[Check] = []
    with tempfile.TemporaryDirectory() as workdir, contextlib.ExitStack() as stack:
        redis_url = stack.enter_context(redis())
        upstream = stack.enter_context(emulator(catalog_size=CATALOG_SIZE))
        run = Run(
            quick=quick,
            token=secrets.token_hex(4),
            workdir=Path(workdir),
            redis_url=redis_url,
            key=Fernet.generate_key().decode(),
            emulator=upstream,
        )
        title_answer(run)
        for figure in figures:
            started = time.monotonic()
            found = figure(run)
            print(
                render_text(found), f"({time.monotonic() - started:.0f} s)\n", sep="\n", flush=True
            )
            checks += found
    return run, checks


def main(argv: Sequence[str] | None = None) -> None:
    """Parse arguments, measure, print, write the results."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a fast smoke run")
    parser.add_argument(
        "--output", type=Path, default=None, help=f"results folder (default: {DEFAULT_OUTPUT})"
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=[f.__name__ for f in FIGURES],
        help="run this figure only (repeatable)",
    )
    args = parser.parse_args(argv)
    figures = [f for f in FIGURES if not args.only or f.__name__ in args.only]
    default = DEFAULT_OUTPUT / "partial" if args.only else DEFAULT_OUTPUT
    output: Path = args.output or (default / "quick" if args.quick else default)
    about = machine({"nginx": nginx_version(), "wrk": wrk_version()})
    print(about, flush=True)
    load_before = os.getloadavg()[0]
    run, checks = measure(args.quick, figures)
    load = f"load average {load_before:.2f} at the start, {os.getloadavg()[0]:.2f} at the end"
    table = render_text(checks)
    print(f"\n{about}; {load}\n{table}")
    mode = "quick run" if args.quick else "full run"
    if args.only:
        mode += " of " + ", ".join(args.only)
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    output.mkdir(parents=True, exist_ok=True)
    (output / "results.md").write_text(
        f"Measured {stamp} ({mode}) on: {about}; {load}.\n\n{render_markdown(checks)}\n"
    )
    write_chart(output / "results.png", run.throughput, checks, f"{stamp}, {mode}: {about}")
    print(f"\nwrote {output / 'results.md'} and {output / 'results.png'}")


if __name__ == "__main__":
    main()
