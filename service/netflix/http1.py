"""A lean HTTP/1.1 transport for upstream calls: asyncio streams parsed by httptools (llhttp).

It replaces httpx's default transport (httpcore) under the same `httpx.AsyncBaseTransport`
interface because, per cache miss, httpcore's work cost more CPU than the upstream call's
own: its pool examined every idle connection's socket on each request, h11's state machine
ran in Python for every event, and anyio wrapped each read and write. Here a request is one
write of a head built in one pass, the response is parsed in C, and the pool takes the most
recently used idle connection of the origin.

The pool keeps connections per origin (scheme, host, port) under httpx's `Limits`: at most
`max_connections` open at once (callers beyond it queue in order and get `PoolTimeout`
after the pool timeout), at most `max_keepalive_connections` idle, none idle longer than
`keepalive_expiry`. A connection goes back to the pool only when its response was read to
the end; one abandoned half-read, broken, or closed by either side is closed instead. A GET
or HEAD sent on a reused connection that the peer had closed before answering (the keep-alive
race) is sent once more on another connection. Timeouts come from the request's `timeout`
extension (connect, read, write, pool; None is no limit), and failures are raised as httpx
exceptions. The response body is handed back raw: `httpx.Response` decodes Content-Encoding.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import ssl
from collections import deque
from collections.abc import AsyncIterator, Mapping

import httpx

from service.netflix.http1_connection import Http1Connection, Origin

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
        limits = limits if limits is not None else httpx.Limits()
        self._max = limits.max_connections
        self._max_idle = limits.max_keepalive_connections
        self._expiry = limits.keepalive_expiry
        self._ssl_context = ssl_context
        self._idle: dict[Origin, list[Http1Connection]] = {}
        self._idle_count = 0
        self._count = 0  # connections open or being opened
        self._waiters: deque[tuple[Origin, asyncio.Future[Http1Connection | None]]] = deque()
        self._closed = False

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
        resends = _RESENDS if method in _IDEMPOTENT and not body else 0
        while True:
            conn = await self._acquire(origin, timeouts)
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
                self._discard(conn)
                if stale and resends:
                    resends -= 1
                    continue
                raise
            except BaseException:
                self._discard(conn)
                raise
            break
        stream = _Body(self, conn, timeouts.get("read"))
        return httpx.Response(
            status,
            headers=headers,
            stream=stream,
            extensions={"http_version": version, "reason_phrase": reason},
            request=request,
        )

    async def aclose(self) -> None:
        """Close idle connections now and the others when their responses are done."""
        self._closed = True
        for conns in self._idle.values():
            for conn in conns:
                conn.close()
                self._count -= 1
        self._idle.clear()
        self._idle_count = 0
        while self._waiters:
            _, future = self._waiters.popleft()
            if not future.done():
                future.set_exception(httpx.PoolTimeout("the upstream transport was closed"))

    # -- the pool ----------------------------------------------------------------------------

    async def _acquire(
        self, origin: Origin, timeouts: Mapping[str, float | None]
    ) -> Http1Connection:
        if self._closed:
            raise httpx.PoolTimeout("the upstream transport is closed")
        conn = self._take_idle(origin)
        if conn is not None:
            return conn
        if self._max is None or self._count < self._max:
            self._count += 1
        elif not self._evict_idle():
            waited = await self._wait_turn(origin, timeouts.get("pool"))
            if waited is not None:
                return waited
        # A slot is ours: open a connection in it.
        try:
            return await _connect(origin, self._context(origin), timeouts.get("connect"))
        except BaseException:
            self._release_slot()
            raise

    def _take_idle(self, origin: Origin) -> Http1Connection | None:
        conns = self._idle.get(origin)
        if not conns:
            return None
        now = asyncio.get_running_loop().time()
        while conns:
            conn = conns.pop()
            self._idle_count -= 1
            if conn.usable_idle and (self._expiry is None or now - conn.idle_since < self._expiry):
                return conn
            conn.close()
            self._release_slot()
        return None

    def _evict_idle(self) -> bool:
        """Close the longest idle connection (of another origin) to free its slot for us."""
        for conns in self._idle.values():
            if conns:
                conns.pop(0).close()
                self._idle_count -= 1
                return True
        return False

    async def _wait_turn(self, origin: Origin, timeout_s: float | None) -> Http1Connection | None:
        """Queue for a slot: a connection handed over, or None (a slot to connect in)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Http1Connection | None] = loop.create_future()
        entry = (origin, future)
        self._waiters.append(entry)
        handle = None if timeout_s is None else loop.call_later(timeout_s, self._expire, entry)
        try:
            return await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled() and future.exception() is None:
                self._hand_back(future.result())
            raise
        finally:
            if handle is not None:
                handle.cancel()
            if not future.done() or future.cancelled():
                _remove(self._waiters, entry)

    def _expire(self, entry: tuple[Origin, asyncio.Future[Http1Connection | None]]) -> None:
        future = entry[1]
        if not future.done():
            _remove(self._waiters, entry)
            future.set_exception(httpx.PoolTimeout("no upstream connection became free in time"))

    def _hand_back(self, conn: Http1Connection | None) -> None:
        if conn is None:
            self._release_slot()
        else:
            self._put_back(conn)

    def release(self, conn: Http1Connection) -> None:
        """Return a connection whose exchange has ended (called by the response body)."""
        if conn.reusable:
            conn.finish()
            self._put_back(conn)
        else:
            self._discard(conn)

    def _discard(self, conn: Http1Connection) -> None:
        conn.close()
        self._release_slot()

    def _put_back(self, conn: Http1Connection) -> None:
        while self._waiters:
            origin, future = self._waiters.popleft()
            if future.done():
                continue
            if origin == conn.origin:
                future.set_result(conn)
            else:
                conn.close()
                future.set_result(None)
            return
        if self._closed or (self._max_idle is not None and self._idle_count >= self._max_idle):
            conn.close()
            self._count -= 1
            return
        conn.idle_since = asyncio.get_running_loop().time()
        self._idle.setdefault(conn.origin, []).append(conn)
        self._idle_count += 1

    def _release_slot(self) -> None:
        """A connection closed: its slot goes to the first waiter, else back to the pool."""
        while self._waiters:
            _, future = self._waiters.popleft()
            if not future.done():
                future.set_result(None)
                return
        self._count -= 1

    def _context(self, origin: Origin) -> ssl.SSLContext | None:
        if origin[0] != "https":
            return None
        if self._ssl_context is None:
            # httpx's own default: certifi's CAs (or SSL_CERT_FILE / SSL_CERT_DIR), verified.
            self._ssl_context = httpx.create_ssl_context()
            self._ssl_context.set_alpn_protocols(["http/1.1"])
        return self._ssl_context


class _Body(httpx.AsyncByteStream):
    """A response body read off its connection, which goes back to the pool at the end."""

    def __init__(
        self, pool: Http1Transport, conn: Http1Connection, timeout_s: float | None
    ) -> None:
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


async def _connect(
    origin: Origin, context: ssl.SSLContext | None, timeout_s: float | None
) -> Http1Connection:
    _, host, port = origin
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(timeout_s):
            _, conn = await loop.create_connection(
                lambda: Http1Connection(origin),
                host,
                port,
                ssl=context,
                server_hostname=host if context is not None else None,
            )
    except TimeoutError as exc:
        raise httpx.ConnectTimeout(f"connecting to {host}:{port} timed out") from exc
    except OSError as exc:  # refused, unreachable, name not found, TLS failures
        raise httpx.ConnectError(f"cannot connect to {host}:{port}: {exc}") from exc
    return conn


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


def _remove(
    waiters: deque[tuple[Origin, asyncio.Future[Http1Connection | None]]],
    entry: tuple[Origin, asyncio.Future[Http1Connection | None]],
) -> None:
    with contextlib.suppress(ValueError):
        waiters.remove(entry)
