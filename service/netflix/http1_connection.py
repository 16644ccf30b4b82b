"""One HTTP/1.1 client connection: an asyncio protocol whose bytes httptools (llhttp) parses.

A connection carries one exchange at a time. The protocol's callbacks fill the response's
state as bytes arrive; the caller awaits the head, then the body chunk by chunk. Reading
pauses while more than `_HIGH_WATER` bytes of body wait unread (a 160 MB catalog index is
streamed, not held), and resumes once the reader has taken them down to `_LOW_WATER`.

A connection is reusable only when its response was read to the end, both sides allow
keep-alive, and nothing else happened: the peer closing it (EOF or reset), a parse error, or
bytes arriving that no request asked for all make it unusable, idle or not. Failures are
raised as the httpx exceptions its callers already translate.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import cast

import httptools
import httpx

Origin = tuple[str, str, int]

_HIGH_WATER = 1 << 20
_LOW_WATER = 1 << 18
# The most handed on at once, as httpcore read: a gzip body decodes to pieces a streaming
# parser (whose buffer is capped) takes in its stride, however far the reader fell behind.
_MAX_CHUNK = 1 << 16
_FRAMING = (b"content-length", b"transfer-encoding")


class Http1Connection(asyncio.Protocol):
    """The client side of one TCP (or TLS) connection to an origin."""

    def __init__(self, origin: Origin) -> None:
        self.origin = origin
        self.exchanges = 0
        self.idle_since = 0.0
        self._loop = asyncio.get_running_loop()
        self._transport: asyncio.Transport | None = None
        self._parser: httptools.HttpResponseParser | None = None
        self._waiter: asyncio.Future[bool] | None = None
        self._drain: asyncio.Future[bool] | None = None
        self._reading_paused = False
        self._writing_paused = False
        self._lost = False
        self._lost_error: BaseException | None = None
        self._stray = False  # bytes no request asked for: never reuse
        self._parse_error: str | None = None
        self._active = False
        self._want_keep_alive = True
        self._reset(head=False)

    def _reset(self, *, head: bool) -> None:
        self._head = head
        self._status = 0
        self._version = b"HTTP/1.1"
        self._reason = b""
        self._headers: list[tuple[bytes, bytes]] = []
        self._interim = False
        self._framed = False
        self._headers_done = False
        self._complete = False
        self._keep_alive = False
        self._received = False
        self._chunks: deque[bytes] = deque()
        self._buffered = 0

    # -- the exchange, as the transport drives it --------------------------------------------

    def start(self, data: bytes, *, head: bool, keep_alive: bool) -> None:
        """Begin an exchange by writing the request head (and a body known in full);
        without `keep_alive` (the request asked to close) the connection is not reused."""
        self._reset(head=head)
        self._want_keep_alive = keep_alive
        if self._parser is None:
            self._parser = httptools.HttpResponseParser(self)
        self._active = True
        self.exchanges += 1
        self.write(data)

    def write(self, data: bytes) -> None:
        """Queue bytes of the request; `drain` waits while the socket's buffer is full."""
        if self._lost or self._transport is None:
            raise httpx.WriteError("the connection closed while the request was being sent")
        self._transport.write(data)

    async def drain(self, timeout_s: float | None) -> None:
        """Wait until the transport accepts more bytes (at once unless writing is paused)."""
        while self._writing_paused:
            if self._lost:
                raise httpx.WriteError("the connection closed while the request was being sent")
            self._drain = self._loop.create_future()
            if not await self._wait(self._drain, timeout_s):
                raise httpx.WriteTimeout("the upstream did not take the request in time")

    async def response_head(
        self, timeout_s: float | None
    ) -> tuple[int, bytes, list[tuple[bytes, bytes]], bytes]:
        """Status, reason phrase, header list and HTTP version of the response."""
        while not self._headers_done:
            self._raise_if_broken()
            if not await self._wait_data(timeout_s):
                raise httpx.ReadTimeout("the upstream did not answer in time")
        return self._status, self._reason, self._headers, self._version

    async def receive(self, timeout_s: float | None) -> bytes:
        """The next body bytes, or b"" once the body is complete."""
        while not self._chunks:
            if self._complete:
                return b""
            self._raise_if_broken()
            if self._complete:  # a body delimited by the peer closing, now ended
                return b""
            if not await self._wait_data(timeout_s):
                raise httpx.ReadTimeout("the upstream stopped sending the answer")
        data = self._chunks.popleft()
        if len(data) > _MAX_CHUNK:
            self._chunks.appendleft(data[_MAX_CHUNK:])
            data = data[:_MAX_CHUNK]
        self._buffered -= len(data)
        if self._reading_paused and self._buffered < _LOW_WATER and self._transport is not None:
            self._reading_paused = False
            self._transport.resume_reading()
        return data

    @property
    def nothing_received(self) -> bool:
        """Whether the peer closed without a byte of this exchange's response."""
        return self._lost and not self._received

    @property
    def reusable(self) -> bool:
        """Whether the exchange ended cleanly and the connection may carry another."""
        return (
            self._complete
            and self._keep_alive
            and self._want_keep_alive
            and not self._lost
            and not self._stray
            and self._parse_error is None
        )

    def finish(self) -> None:
        """End the exchange (the connection then counts as idle)."""
        self._active = False
        self._chunks.clear()

    @property
    def usable_idle(self) -> bool:
        """Whether an idle connection is still open and clean (the peer may have closed it)."""
        return not (self._lost or self._stray or self._transport is None)

    def close(self) -> None:
        """Close the socket at once; any unread response is dropped."""
        self._active = False
        if self._transport is not None:
            self._transport.abort()

    # -- waiting -----------------------------------------------------------------------------

    def _raise_if_broken(self) -> None:
        if self._parse_error is not None:
            raise httpx.RemoteProtocolError(self._parse_error)
        if not self._lost:
            return
        if self._headers_done and not self._framed and not isinstance(self._lost_error, OSError):
            self._complete = True  # the body ran until the peer closed
            return
        if isinstance(self._lost_error, OSError):
            raise httpx.ReadError(f"the upstream connection broke: {self._lost_error}")
        if not self._headers_done:
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.")
        raise httpx.RemoteProtocolError(
            "peer closed connection without sending complete message body"
        )

    async def _wait_data(self, timeout_s: float | None) -> bool:
        self._waiter = self._loop.create_future()
        return await self._wait(self._waiter, timeout_s)

    async def _wait(self, future: asyncio.Future[bool], timeout_s: float | None) -> bool:
        """True when woken by the protocol, False when `timeout_s` ran out first."""
        if timeout_s is None:
            return await future
        handle = self._loop.call_later(timeout_s, _expire, future)
        try:
            return await future
        finally:
            handle.cancel()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            if not waiter.done():
                waiter.set_result(True)

    # -- asyncio protocol --------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        parser = self._parser
        if not self._active or parser is None:
            self._stray = True
            self.close()
            return
        self._received = True
        try:
            parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._fail("the upstream switched protocols")
        except httptools.HttpParserError as exc:
            self._fail(f"malformed upstream response: {exc}")

    def eof_received(self) -> bool:
        self._lost = True
        self._wake()
        return False

    def connection_lost(self, exc: BaseException | None) -> None:
        self._lost = True
        self._lost_error = exc
        self._wake()
        drain = self._drain
        if drain is not None and not drain.done():
            drain.set_result(True)

    def pause_writing(self) -> None:
        self._writing_paused = True

    def resume_writing(self) -> None:
        self._writing_paused = False
        drain = self._drain
        if drain is not None and not drain.done():
            drain.set_result(True)

    def _fail(self, message: str) -> None:
        if not self._complete:
            self._parse_error = message
        self._stray = True
        self._parser = None
        self._wake()

    # -- httptools callbacks -----------------------------------------------------------------

    def on_message_begin(self) -> None:
        if self._complete:
            self._stray = True  # a second response nobody asked for

    def on_status(self, reason: bytes) -> None:
        self._reason += reason

    def on_header(self, name: bytes, value: bytes) -> None:
        self._headers.append((name, value))
        if name.lower() in _FRAMING:
            self._framed = True

    def on_headers_complete(self) -> None:
        parser = cast(httptools.HttpResponseParser, self._parser)
        status = parser.get_status_code()
        if 100 <= status < 200:  # interim (100 Continue, 103 Early Hints): wait for the final
            self._interim = True
            self._headers, self._reason, self._framed = [], b"", False
            return
        self._status = status
        self._version = b"HTTP/" + parser.get_http_version().encode()
        self._headers_done = True
        if self._head:
            # llhttp does not know the request method: it would wait for the body a HEAD
            # answer announces but never sends. This parser is done; the next request gets one.
            self._complete = True
            self._keep_alive = parser.should_keep_alive()
            self._parser = None
        self._wake()

    def on_body(self, body: bytes) -> None:
        if self._complete:
            self._stray = True
            return
        self._chunks.append(body)
        self._buffered += len(body)
        if self._buffered > _HIGH_WATER and not self._reading_paused and self._transport:
            self._reading_paused = True
            self._transport.pause_reading()
        self._wake()

    def on_message_complete(self) -> None:
        if self._interim:
            self._interim = False
            return
        if self._complete:
            return
        parser = cast(httptools.HttpResponseParser, self._parser)
        self._complete = True
        self._keep_alive = parser.should_keep_alive()
        self._wake()


def _expire(future: asyncio.Future[bool]) -> None:
    if not future.done():
        future.set_result(False)
