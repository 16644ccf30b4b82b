"""uvicorn's httptools protocol, sending what an answer writes in one loop pass as one write.

uvicorn writes an answer's status line and headers, then its body, with one `transport.write`
each, and each write of an idle connection is a `send` system call at once. For a cached
answer that is all the work there is, and the two system calls were about half the time a
front-tier hit spent in the process (profiled under wrk on a 2-core VM). `JoinedWrites`
holds what is written and sends it on the loop's next pass (`call_soon`): a cached answer's
head and body leave in one segment, and a streamed answer keeps its pace (each piece leaves
on the pass after the one that wrote it). Once `FLUSH_AT` bytes are held they are sent at
once, so a pass that writes much reaches the transport's flow control (uvicorn waits while
the transport's buffer is full) as before. What is held goes first when the connection is
closed, ended, or half-closed by the client (the transport closes itself then); it is dropped
only when the transport is aborted or already closing.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

FLUSH_AT = 64 * 1024  # asyncio's default high-water mark for a transport's write buffer


class JoinedWrites:
    """A transport that sends the writes of one loop pass as one write of the transport below."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._held: list[bytes] = []
        self._held_bytes = 0

    def write(self, data: bytes | bytearray | memoryview) -> None:
        """Hold `data` for the loop's next pass, or send all held once `FLUSH_AT` bytes are
        (dropped once the transport is closing)."""
        if not data or self._transport.is_closing():
            return
        held = self._held
        if not held:
            self._loop.call_soon(self.flush)
        piece = bytes(data)
        held.append(piece)
        self._held_bytes += len(piece)
        if self._held_bytes >= FLUSH_AT:
            self.flush()

    def flush(self) -> None:
        """Send what is held, in one write (vectored by uvloop, without joining the pieces)."""
        held = self._held
        if not held:
            return
        self._held = []
        self._held_bytes = 0
        if self._transport.is_closing():
            return
        if len(held) == 1:
            self._transport.write(held[0])
        else:
            self._transport.writelines(held)

    def writelines(self, pieces: Any) -> None:
        for piece in pieces:
            self.write(piece)

    def write_eof(self) -> None:
        try:
            self.flush()
        finally:
            self._transport.write_eof()

    def close(self) -> None:
        try:
            self.flush()
        finally:
            self._transport.close()

    def abort(self) -> None:
        self._held = []
        self._held_bytes = 0
        self._transport.abort()

    def get_write_buffer_size(self) -> int:
        return self._transport.get_write_buffer_size() + self._held_bytes

    def __getattr__(self, name: str) -> Any:
        # Everything else (reading, extra info, protocol, buffer limits) is the transport's own.
        return getattr(self._transport, name)


class JoinedWritesProtocol(HttpToolsProtocol):
    """uvicorn's httptools HTTP/1.1 protocol over `JoinedWrites`."""

    _joined: JoinedWrites | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._joined = JoinedWrites(transport, self.loop)
        joined: Any = self._joined  # a transport in all but its class
        super().connection_made(joined)

    def eof_received(self) -> None:
        # The client half-closed: the transport closes itself when this returns (uvicorn keeps
        # no half-open connections), and what it has been given still leaves before it does.
        if self._joined is not None:
            self._joined.flush()
        super().eof_received()
