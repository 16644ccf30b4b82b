"""`netflix-proxy export-index FILE`: the whole catalog index to an NDJSON file.

The same stream as `GET /v1/catalog/index`, signed with the consumer key and spent from the
same budget. It is written to a temporary file beside the target and renamed at the end, so
the target is either the complete index or untouched. Progress goes to stderr: a bar that
redraws in a terminal (the upstream does not announce a total, so it counts titles and
bytes and shows the rate), a line every `LOG_EVERY` titles otherwise.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import BinaryIO, TextIO

import orjson

from service.app import create_app
from service.cli.problems import CliError
from service.deps import Runtime
from service.errors import ServiceError
from service.settings import Settings
from service.usecases.catalog import CatalogReads

LOG_EVERY = 10_000
# How the stream ends when the upstream fails midway (title lines never start so).
ERROR_RECORD = b'{"error":'
REDRAW_EVERY_S = 0.2
BAR_WIDTH = 24


class Progress:
    """Counts what was written and shows it on a stream."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._live = stream.isatty()
        self._started = time.monotonic()
        self._drawn_at = 0.0
        self.titles = 0
        self.size = 0

    def add(self, lines: bytes) -> None:
        """More titles written: a part of the stream, one title per line."""
        titles = lines.count(b"\n")
        before = self.titles
        self.titles += titles
        self.size += len(lines)
        now = time.monotonic()
        if self._live and now - self._drawn_at >= REDRAW_EVERY_S:
            self._drawn_at = now
            self._stream.write("\r" + self._line(now))
            self._stream.flush()
        elif not self._live and self.titles // LOG_EVERY > before // LOG_EVERY:
            self._stream.write(self._line(now) + "\n")

    def done(self, target: Path) -> None:
        """The closing line."""
        end = "\r" if self._live else ""
        self._stream.write(f"{end}{self._line(time.monotonic())}  -> {target}\n")
        self._stream.flush()

    def _line(self, now: float) -> str:
        elapsed = max(now - self._started, 1e-9)
        spinner = int(elapsed / REDRAW_EVERY_S) % BAR_WIDTH
        bar = "".join("#" if i <= spinner else "-" for i in range(BAR_WIDTH))
        return (
            f"[{bar}] {self.titles:,} titles  {self.size / 1e6:,.1f} MB  "
            f"{self.titles / elapsed:,.0f} titles/s"
        )


def export_index(settings: Settings, target: Path, *, progress: TextIO = sys.stderr) -> int:
    """Write the index to `target`; the number of titles. `CliError` when it cannot."""
    folder = target.resolve().parent
    if not folder.is_dir():
        raise CliError(f"cannot write {target}: folder {folder} does not exist")
    counter = Progress(progress)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=folder)
    try:
        with os.fdopen(handle, "wb") as out:
            asyncio.run(_stream(settings, out, counter))
        os.replace(temporary, target)
    except ServiceError as exc:  # before the first title
        raise CliError(f"the index could not be exported: {exc.detail}") from None
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    counter.done(target)
    return counter.titles


async def _stream(settings: Settings, out: BinaryIO, counter: Progress) -> None:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        runtime: Runtime = app.state.runtime
        reads = CatalogReads(runtime.client, runtime.cache, runtime.front, settings)
        async for part in await reads.index_lines():
            if part.startswith(ERROR_RECORD):  # always a part of its own
                detail = orjson.loads(part)["error"].get("detail", "the stream failed")
                raise CliError(f"the index could not be exported: {detail}")
            out.write(part)
            counter.add(part)
