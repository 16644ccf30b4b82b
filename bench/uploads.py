"""`python -m bench.uploads`: what large request bodies cost a running proxy process.

Sends `--parallel` uploads of `--megabytes` each at once to an anonymous endpoint of a proxy
already serving over TCP, while sampling the resident memory of its process (`--pid`, read from
/proc, so Linux only). Prints the process's RSS before and at its peak, each answer's status and
how long the first answer took. Bodies are generated as they are sent (the client holds one
chunk at a time), declared with Content-Length or, with `--chunked`, streamed without it.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import httpx

CHUNK = b"x" * 65_536
SAMPLE_EVERY_S = 0.02


def rss_mb(pid: int) -> float:
    """The resident set size of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


async def _body(size: int) -> AsyncIterator[bytes]:
    sent = 0
    while sent < size:
        chunk = CHUNK[: size - sent]
        sent += len(chunk)
        yield chunk


async def _upload(
    client: httpx.AsyncClient, path: str, size: int, chunked: bool, started: float
) -> tuple[str, float]:
    headers = {"Content-Type": "application/json"}
    if not chunked:
        headers["Content-Length"] = str(size)
    try:
        answer = await client.post(path, content=_body(size), headers=headers)
        outcome = str(answer.status_code)
    except httpx.HTTPError as exc:  # the server may close the connection mid-upload
        outcome = type(exc).__name__
    return outcome, time.monotonic() - started


async def measure(args: argparse.Namespace) -> None:
    """Run the uploads and print the figures."""
    size = int(args.megabytes * 1_000_000)
    before = rss_mb(args.pid)
    peak = before
    done = asyncio.Event()

    async def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, rss_mb(args.pid))
            await asyncio.sleep(SAMPLE_EVERY_S)

    sampler = asyncio.create_task(sample())
    started = time.monotonic()
    async with httpx.AsyncClient(base_url=args.proxy, timeout=120) as client:
        results = await asyncio.gather(
            *(_upload(client, args.path, size, args.chunked, started) for _ in range(args.parallel))
        )
    done.set()
    await sampler
    peak = max(peak, rss_mb(args.pid))
    kind = "chunked" if args.chunked else "Content-Length"
    print(f"{args.parallel} x {args.megabytes:g} MB ({kind}) to {args.path}")
    print(f"RSS before {before:.0f} MB, peak {peak:.0f} MB, after {rss_mb(args.pid):.0f} MB")
    print("answers:", ", ".join(sorted(outcome for outcome, _ in results)))
    print(f"first answer after {min(t for _, t in results):.3f} s")


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the arguments and measure."""
    parser = argparse.ArgumentParser(prog="python -m bench.uploads", description=__doc__)
    parser.add_argument("--proxy", required=True, help="base URL of the running proxy")
    parser.add_argument("--pid", type=int, required=True, help="process id of its server")
    parser.add_argument("--path", default="/v1/auth/import", help="the endpoint to upload to")
    parser.add_argument("--parallel", type=int, default=8)
    parser.add_argument("--megabytes", type=float, default=50.0)
    parser.add_argument("--chunked", action="store_true", help="no Content-Length")
    asyncio.run(measure(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
