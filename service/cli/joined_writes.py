"""uvicorn's httptools protocol, sending what an answer writes in one loop turn as one write.

uvicorn writes an answer's status line and headers, then its body, with one `transport.write`
each, and each write of an idle connection is a `send` system call at once. For a cached
answer that is all the work there is, and the two system calls were about half the time a
front-tier hit spent in the process (profiled under wrk on a 2-core VM). `JoinedWrites`
holds what is written until the end of the loop turn and sends it together: a cached
answer's head and body leave in one segment, and a streamed answer keeps its pace (each piece
still leaves in the turn it was written). Once `FLUSH_AT` bytes are held they are sent at
once, so a turn that writes much reaches the transport's flow control (uvicorn waits while
the transport's buffer is full) as before. Closing, aborting and ending the stream send or
drop what is held first, so order and framing are unchanged.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

FLUSH_AT = 64 * 1024  # asyncio's default high-water mark for a transport's write buffer


class JoinedWrites:
    """A transport that sends the writes of one loop turn as one write of the transport below."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._held: list[bytes] = []
        self._held_bytes = 0

    def write(self, data: bytes | bytearray | memoryview) -> None:
        """Hold `data` until the end of this loop turn, or send all held once `FLUSH_AT` bytes
        are (nothing after closing, as asyncio does)."""
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
        """Send what is held, as one write."""
        held = self._held
        if not held:
            return
        self._held = []
        self._held_bytes = 0
        if not self._transport.is_closing():
            self._transport.write(held[0] if len(held) == 1 else b"".join(held))

    def writelines(self, pieces: Any) -> None:
        for piece in pieces:
            self.write(piece)

    def write_eof(self) -> None:
        self.flush()
        self._transport.write_eof()

    def close(self) -> None:
        self.flush()
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

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        joined: Any = JoinedWrites(transport, self.loop)
        super().connection_made(joined)
