"""uvicorn on `JoinedWritesProtocol` over real TCP: answers whole, in order, streams paced."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator

import uvicorn
from starlette.types import Receive, Scope, Send

from service.cli.joined_writes import JoinedWritesProtocol

_BODY = b'{"title": "The Cached One"}' * 40
_second_piece_may_go = asyncio.Event()


async def _app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] != "http":
        return
    if scope["path"] == "/stream":
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"first", "more_body": True})
        await _second_piece_may_go.wait()  # the client saw the first piece alone
        await send({"type": "http.response.body", "body": b"second", "more_body": False})
        return
    headers = [(b"content-length", b"%d" % len(_BODY)), (b"content-type", b"application/json")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": _BODY})


@contextlib.asynccontextmanager
async def _serving() -> AsyncIterator[int]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    sock.listen()  # connections wait in the backlog until the server accepts them
    config = uvicorn.Config(_app, http=JoinedWritesProtocol, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        yield sock.getsockname()[1]
    finally:
        server.should_exit = True
        await task
        sock.close()


async def _read_answer(reader: asyncio.StreamReader) -> tuple[bytes, dict[bytes, bytes]]:
    head = await reader.readuntil(b"\r\n\r\n")
    status, *lines = head[:-4].split(b"\r\n")
    headers = dict(line.split(b": ", 1) for line in lines)
    return status, headers


async def test_answers_on_one_keep_alive_connection_arrive_whole_and_in_order() -> None:
    async with _serving() as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for _ in range(3):
            writer.write(b"GET /title HTTP/1.1\r\nHost: t\r\n\r\n")
            status, headers = await _read_answer(reader)
            assert status == b"HTTP/1.1 200 OK"
            assert headers[b"content-length"] == b"%d" % len(_BODY)
            assert await reader.readexactly(len(_BODY)) == _BODY
        writer.write(b"GET /title HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        status, headers = await _read_answer(reader)
        assert headers[b"connection"] == b"close"
        assert await reader.read() == _BODY  # all of it, then the server closed
        writer.close()


async def test_a_streamed_answer_sends_each_piece_in_its_own_turn() -> None:
    _second_piece_may_go.clear()
    async with _serving() as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /stream HTTP/1.1\r\nHost: t\r\n\r\n")
        _, headers = await _read_answer(reader)
        assert headers[b"transfer-encoding"] == b"chunked"
        assert await reader.readuntil(b"first\r\n") == b"5\r\nfirst\r\n"
        _second_piece_may_go.set()
        assert await reader.readuntil(b"0\r\n\r\n") == b"6\r\nsecond\r\n0\r\n\r\n"
        writer.close()
