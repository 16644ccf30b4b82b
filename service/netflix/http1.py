"""A lean HTTP/1.1 transport for upstream calls: asyncio streams parsed by httptools (llhttp).

It replaces httpx's default transport (httpcore) under the same `httpx.AsyncBaseTransport`
interface because, per cache miss, httpcore's work cost more CPU than the upstream call's
own: its pool examined every idle connection's socket on each request, h11's state machine
ran in Python for every event, and anyio wrapped each read and write. Here a request is one
write of a head built in one pass, the response is parsed in C, and the pool takes the most
recently used idle connection of the origin.

Connections come from `Http1Pool` (per origin, under httpx's `Limits`) and go back to it
only when their response was read to the end (`service.netflix.http1_pool`). A GET or HEAD
sent on a reused connection that the peer had closed before answering (the keep-alive race)
is sent once more on another connection. Timeouts come from the request's `timeout`
extension (connect, read, write, pool; None is no limit), and failures are raised as httpx
exceptions. The response body is handed back raw: `httpx.Response` decodes Content-Encoding.
"""

from __future__ import annotations

import re
import ssl
from collections.abc import AsyncIterator, Mapping

import httpx

from service.netflix.http1_connection import Http1Connection
from service.netflix.http1_pool import Http1Pool

_DEFAULT_PORTS = {"http": 80, "https": 443}
_IDEMPOTENT = frozenset({"GET", "HEAD"})
_RESENDS = 2
# The request head, checked whole: with one line per header (counted), no name or value
# can smuggle in a line break, a NUL, or a header of its own.
_TOKEN = rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_VALID_HEAD = re.compile(
    _TOKEN + rb" [\x21-\x7e]+ HTTP/1\.1\r\n(?:" + _TOKEN + rb": [^\r\n\x00]*\r\n)*\r\n"
)


class Http1Transport(httpx.AsyncBaseTransport):
    """Pooled HTTP/1.1 (and HTTPS) connections for an `httpx.AsyncClient` or direct calls."""

    def __init__(
        self, *, limits: httpx.Limits | None = None, ssl_context: ssl.SSLContext | None = None
    ) -> None:
        self._pool = Http1Pool(limits if limits is not None else httpx.Limits(), ssl_context)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send the request on a pooled connection; the response streams its raw body."""
        url = request.url
        scheme = url.scheme
        if scheme not in _DEFAULT_PORTS:
            raise httpx.UnsupportedProtocol(f"unsupported URL scheme {scheme!r}")
        origin = (scheme, url.host, url.port or _DEFAULT_PORTS[scheme])
        timeouts: Mapping[str, float | None] = request.extensions.get("timeout", {})
        head, closing, chunked = _request_head(request)
        try:
            body: bytes | None = request.content
        except httpx.RequestNotRead:
            body = None
        method = request.method
        pool = self._pool
        resends = _RESENDS if method in _IDEMPOTENT and not body else 0
        while True:
            conn = await pool.acquire(origin, timeouts)
            try:
                conn.start(
                    head + body if body else head, head=method == "HEAD", keep_alive=not closing
                )
                if body is None:
                    await _send_stream(conn, request.stream, chunked, timeouts.get("write"))
                await conn.drain(timeouts.get("write"))
                status, reason, headers, version = await conn.response_head(timeouts.get("read"))
            except (httpx.RemoteProtocolError, httpx.ReadError):
                stale = conn.exchanges > 1 and conn.nothing_received
                pool.discard(conn)
                if stale and resends:
                    resends -= 1
                    continue
                raise
            except BaseException:
                pool.discard(conn)
                raise
            break
        stream = _Body(pool, conn, timeouts.get("read"))
        return httpx.Response(
            status,
            headers=headers,
            stream=stream,
            extensions={"http_version": version, "reason_phrase": reason},
            request=request,
        )

    async def aclose(self) -> None:
        """Close idle connections now and the others when their responses are done."""
        self._pool.close()


class _Body(httpx.AsyncByteStream):
    """A response body read off its connection, which goes back to the pool at the end."""

    def __init__(self, pool: Http1Pool, conn: Http1Connection, timeout_s: float | None) -> None:
        self._pool = pool
        self._conn: Http1Connection | None = conn
        self._timeout_s = timeout_s

    async def __aiter__(self) -> AsyncIterator[bytes]:
        conn = self._conn
        if conn is None:
            raise httpx.StreamClosed()
        try:
            while chunk := await conn.receive(self._timeout_s):
                yield chunk
        except BaseException:
            self._finish()
            raise
        self._finish()

    async def aclose(self) -> None:
        self._finish()

    def _finish(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            self._pool.release(conn)


def _request_head(request: httpx.Request) -> tuple[bytes, bool, bool]:
    """The request line and headers (Host first, as httpx put it); whether the request asks
    to close the connection; whether its body is sent chunked."""
    parts = [request.method.encode("ascii"), b" ", request.url.raw_path, b" HTTP/1.1\r\n"]
    closing = chunked = False
    for name, value in request.headers.raw:
        parts += (name, b": ", value, b"\r\n")
        if len(name) == 10 and name.lower() == b"connection":
            closing = closing or b"close" in value.lower()
        elif len(name) == 17 and name.lower() == b"transfer-encoding":
            chunked = b"chunked" in value.lower()
    parts.append(b"\r\n")
    head = b"".join(parts)
    lines = len(parts) // 4 + 1  # four parts per header line, request line included
    if head.count(b"\n") != lines or _VALID_HEAD.fullmatch(head) is None:
        raise httpx.LocalProtocolError("the request head holds a character HTTP forbids there")
    return head, closing, chunked


async def _send_stream(
    conn: Http1Connection,
    stream: httpx.SyncByteStream | httpx.AsyncByteStream,
    chunked: bool,
    timeout_s: float | None,
) -> None:
    """Send a body of unknown length as it is produced, chunk-framed when so declared."""
    if not isinstance(stream, httpx.AsyncByteStream):
        raise RuntimeError("an async transport needs an async request body")
    async for chunk in stream:
        if chunk:
            conn.write(b"%x\r\n%b\r\n" % (len(chunk), chunk) if chunked else chunk)
            await conn.drain(timeout_s)
    if chunked:
        conn.write(b"0\r\n\r\n")
