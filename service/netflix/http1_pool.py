"""The connection pool of the HTTP/1.1 transport: per origin, under httpx's `Limits`.

Connections are kept per origin (scheme, host, port): at most `max_connections` open at once
(callers beyond it queue in order and get `PoolTimeout` after the pool timeout), at most
`max_keepalive_connections` idle, none reused after `keepalive_expiry` idle. A request takes
the origin's most recently used idle connection that is still open, without examining the
others. A connection goes back only when its exchange ended cleanly (see
`Http1Connection.reusable`); one abandoned half-read, broken, or closed by either side is
closed, and its slot goes to the first caller waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections import deque
from collections.abc import Mapping

import httpx

from service.netflix.http1_connection import Http1Connection, Origin

# A caller queued for a slot, and where it learns of one: a connection, or None to connect.
_Waiter = tuple[Origin, asyncio.Future[Http1Connection | None]]


class Http1Pool:
    """Open, idle and awaited connections of one transport."""

    def __init__(self, limits: httpx.Limits, ssl_context: ssl.SSLContext | None) -> None:
        self._max = limits.max_connections
        self._max_idle = limits.max_keepalive_connections
        self._expiry = limits.keepalive_expiry
        self._ssl_context = ssl_context
        self._idle: dict[Origin, list[Http1Connection]] = {}
        self._idle_count = 0
        self._count = 0  # connections open or being opened
        self._waiters: deque[_Waiter] = deque()
        self._closed = False

    async def acquire(
        self, origin: Origin, timeouts: Mapping[str, float | None]
    ) -> Http1Connection:
        """An open connection to the origin: idle, handed over, or newly connected."""
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
        """Close an idle connection of another origin (its oldest) to take over its slot."""
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

    def _expire(self, entry: _Waiter) -> None:
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
            self.discard(conn)

    def discard(self, conn: Http1Connection) -> None:
        """Close a connection that must not carry another exchange, freeing its slot."""
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

    def close(self) -> None:
        """Close idle connections; the others close when released; waiters get PoolTimeout."""
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


def _remove(waiters: deque[_Waiter], entry: _Waiter) -> None:
    with contextlib.suppress(ValueError):
        waiters.remove(entry)
