"""Figure 5: the catalog index streamed through the proxy against a bare lxml iterparse.

The emulator generates a catalog of 100,000 titles (10,000 with `--quick`). Its index XML is
downloaded once, directly, and read with `etree.iterparse` (clearing each item): the floor of
any reader. Then the proxy streams the same index as NDJSON while its resident memory is read;
its growth is the peak (`VmHWM`) after the stream less the resident size (`VmRSS`) before.
"""

from __future__ import annotations

import time
from pathlib import Path

import httpx
from lxml import etree

from bench.context import Run
from bench.processes import emulator, proxy
from bench.report import Check
from service.netflix.catalog_calls import INDEX_PATH
from tests.support.oauth import signer

ITEM_TAG = "title_index_item"
MEMORY_TARGET_MB = 64.0


def _status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} for process {pid}")


def download(emulator_url: str, target: Path) -> None:
    """The emulator's index XML, signed, into `target`."""
    with (
        httpx.Client(auth=signer(), timeout=httpx.Timeout(30.0, read=None)) as client,
        client.stream("GET", emulator_url + INDEX_PATH) as answer,
        target.open("wb") as out,
    ):
        answer.raise_for_status()
        for chunk in answer.iter_bytes(1 << 20):
            out.write(chunk)


def iterparse_seconds(source: Path) -> tuple[int, float]:
    """Items read and seconds taken by a bare iterparse over the file."""
    started = time.perf_counter()
    count = 0
    for _, element in etree.iterparse(str(source), tag=ITEM_TAG):
        count += 1
        element.clear(keep_tail=True)
    return count, time.perf_counter() - started


def stream_through(proxy_url: str) -> tuple[int, int, float]:
    """Lines and bytes of the proxy's NDJSON index, and seconds taken."""
    lines = size = 0
    started = time.perf_counter()
    with (
        httpx.Client(timeout=httpx.Timeout(30.0, read=None)) as client,
        client.stream("GET", proxy_url + "/v1/catalog/index") as answer,
    ):
        answer.raise_for_status()
        for chunk in answer.iter_bytes(1 << 16):
            lines += chunk.count(b"\n")
            size += len(chunk)
    return lines, size, time.perf_counter() - started


def index(run: Run) -> list[Check]:
    """Figure 5."""
    titles = run.scaled(100_000, 10_000)
    xml = run.workdir / "index.xml"
    with emulator(catalog_size=titles) as upstream:
        download(upstream.url, xml)
        items, parse_s = iterparse_seconds(xml)
        with proxy(upstream.url, run.redis_url, run.key) as server:
            before_kb = _status_kb(server.pid, "VmRSS")
            lines, size, stream_s = stream_through(server.url)
            peak_kb = _status_kb(server.pid, "VmHWM")
    xml_mb = xml.stat().st_size / 1e6
    xml.unlink()
    if lines != items:
        raise RuntimeError(f"the proxy streamed {lines} lines for {items} index items")
    growth_mb = max(peak_kb - before_kb, 0) / 1024
    return [
        Check(
            f"5. Catalog index ({items:,} titles) vs bare iterparse",
            parse_s / stream_s,
            ">=",
            0.5,
            "x",
            f"{stream_s:.1f} s for {size / 1e6:.0f} MB NDJSON vs {parse_s:.1f} s "
            f"for {xml_mb:.0f} MB XML",
        ),
        Check(
            f"5. Proxy peak RSS growth ({items:,} titles)",
            growth_mb,
            "<",
            MEMORY_TARGET_MB,
            " MB",
            f"{before_kb / 1024:.0f} MB before, peak {peak_kb / 1024:.0f} MB",
        ),
    ]
