"""Tiny HTTP/1.1 servers over real TCP whose every byte a test scripts, for transport tests."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field


@dataclass
class Request:
    """A request as the server read it: request line, lower-cased headers, body."""

    line: bytes
    headers: dict[bytes, bytes]
    body: bytes


@dataclass
class RawServer:
    """Where a scripted server listens, and what it has seen."""

    port: int
    host: str = "127.0.0.1"
    scheme: str = "http"
    connections: int = 0
    requests: list[Request] = field(default_factory=list)
    sent: int = 0  # body bytes a handler has had accepted by the socket, when it counts them

    def url(self, path: str = "/") -> str:
        """An absolute URL on this server."""
        return f"{self.scheme}://{self.host}:{self.port}{path}"


Handler = Callable[[RawServer, asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@contextlib.asynccontextmanager
async def raw_server(
    handler: Handler, *, ssl_context: ssl.SSLContext | None = None, host: str = "127.0.0.1"
) -> AsyncIterator[RawServer]:
    """Serve `handler` on a free port; each connection runs it once, then is closed."""
    tasks: set[asyncio.Task[None]] = set()
    info = RawServer(port=0, host=host, scheme="https" if ssl_context else "http")

    async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        info.connections += 1
        task = asyncio.current_task()
        assert task is not None
        tasks.add(task)
        try:
            await handler(info, reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError):
            pass  # the client went away: what the test checks is on its side
        except asyncio.CancelledError:
            pass  # stopped with the server
        finally:
            writer.close()
            tasks.discard(task)

    server = await asyncio.start_server(on_connect, "127.0.0.1", 0, ssl=ssl_context)
    info.port = server.sockets[0].getsockname()[1]
    try:
        yield info
    finally:
        server.close()
        for task in list(tasks):
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await server.wait_closed()


async def read_request(reader: asyncio.StreamReader) -> Request:
    """One request off the connection (IncompleteReadError once the client closed it)."""
    head = await reader.readuntil(b"\r\n\r\n")
    line, *lines = head[:-4].split(b"\r\n")
    headers = {}
    for header in lines:
        name, _, value = header.partition(b":")
        headers[name.strip().lower()] = value.strip()
    body = b""
    if b"content-length" in headers:
        body = await reader.readexactly(int(headers[b"content-length"]))
    elif headers.get(b"transfer-encoding") == b"chunked":
        while size := int((await reader.readuntil(b"\r\n")).strip(), 16):
            body += (await reader.readexactly(size + 2))[:-2]
        await reader.readuntil(b"\r\n")
    return Request(line, headers, body)


def response(
    body: bytes = b"ok", *, status: bytes = b"200 OK", headers: Sequence[bytes] = ()
) -> bytes:
    """A complete response with a Content-Length."""
    lines = [b"HTTP/1.1 " + status, b"Content-Length: %d" % len(body), *headers]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def keep_alive(answer: Callable[[Request], bytes] = lambda _: response()) -> Handler:
    """A handler answering every request on a connection until the client closes it."""

    async def handle(
        server: RawServer, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        while True:
            request = await read_request(reader)
            server.requests.append(request)
            writer.write(answer(request))
            await writer.drain()

    return handle
