"""uvicorn on `JoinedWritesProtocol` over real TCP, on asyncio's loop and on uvloop (what
`serve` runs): answers whole and in order on keep-alive connections, streams paced."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

import pytest
import uvicorn
import uvloop
from starlette.types import ASGIApp, Receive, Scope, Send

from service.cli.joined_writes import JoinedWritesProtocol

_BODY = b'{"title": "The Cached One"}' * 40
_STEP_S = 10.0  # no step of a test waits longer: a missing piece fails rather than hangs
Runner = Callable[[Coroutine[Any, Any, None]], None]
RUNNERS = pytest.mark.parametrize("run", [asyncio.run, uvloop.run], ids=["asyncio", "uvloop"])


def _app(second_piece_may_go: asyncio.Event) -> ASGIApp:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        if scope["path"] == "/stream":
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"first", "more_body": True})
            await second_piece_may_go.wait()  # the client saw the first piece alone
            await send({"type": "http.response.body", "body": b"second", "more_body": False})
            return
        headers = [(b"content-length", b"%d" % len(_BODY)), (b"content-type", b"text/plain")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": _BODY})

    return app


@contextlib.asynccontextmanager
async def _serving(app: ASGIApp) -> AsyncIterator[int]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    sock.listen()  # connections wait in the backlog until the server accepts them
    config = uvicorn.Config(app, http=JoinedWritesProtocol, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        yield sock.getsockname()[1]
    finally:
        server.should_exit = True
        await task
        sock.close()


async def _read_head(reader: asyncio.StreamReader) -> tuple[bytes, dict[bytes, bytes]]:
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), _STEP_S)
    status, *lines = head[:-4].split(b"\r\n")
    return status, dict(line.split(b": ", 1) for line in lines)


async def _close(writer: asyncio.StreamWriter) -> None:
    writer.close()
    await writer.wait_closed()


async def _read(reader: asyncio.StreamReader, until: bytes) -> bytes:
    return await asyncio.wait_for(reader.readuntil(until), _STEP_S)


@RUNNERS
def test_answers_on_one_keep_alive_connection_arrive_whole_and_in_order(run: Runner) -> None:
    async def scenario() -> None:
        async with _serving(_app(asyncio.Event())) as port:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            # Two requests in one segment (pipelined), then one at a time: answers in order.
            writer.write(b"GET /a HTTP/1.1\r\nHost: t\r\n\r\nGET /b HTTP/1.1\r\nHost: t\r\n\r\n")
            for number in range(5):
                if number >= 2:
                    writer.write(b"GET /c HTTP/1.1\r\nHost: t\r\n\r\n")
                status, headers = await _read_head(reader)
                assert status == b"HTTP/1.1 200 OK"
                assert headers[b"content-length"] == b"%d" % len(_BODY)
                assert await asyncio.wait_for(reader.readexactly(len(_BODY)), _STEP_S) == _BODY
            writer.write(b"GET /d HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            _, headers = await _read_head(reader)
            assert headers[b"connection"] == b"close"
            assert await asyncio.wait_for(reader.read(), _STEP_S) == _BODY  # then closed
            await _close(writer)

    run(scenario())


@RUNNERS
def test_a_streamed_answer_sends_each_piece_without_waiting_for_the_next(run: Runner) -> None:
    async def scenario() -> None:
        second_piece_may_go = asyncio.Event()
        async with _serving(_app(second_piece_may_go)) as port:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"GET /stream HTTP/1.1\r\nHost: t\r\n\r\n")
            _, headers = await _read_head(reader)
            assert headers[b"transfer-encoding"] == b"chunked"
            assert await _read(reader, b"first\r\n") == b"5\r\nfirst\r\n"
            second_piece_may_go.set()
            assert await _read(reader, b"0\r\n\r\n") == b"6\r\nsecond\r\n0\r\n\r\n"
            await _close(writer)

    run(scenario())


@RUNNERS
def test_a_half_closing_client_still_gets_its_answer(run: Runner) -> None:
    async def scenario() -> None:
        async with _serving(_app(asyncio.Event())) as port:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"GET /a HTTP/1.1\r\nHost: t\r\n\r\n")
            writer.write_eof()
            answer = await asyncio.wait_for(reader.read(), _STEP_S)
            assert answer.startswith(b"HTTP/1.1 200 OK\r\n")
            assert answer.endswith(b"\r\n\r\n" + _BODY)
            await _close(writer)

    run(scenario())
