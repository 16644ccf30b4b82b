"""What is written in one loop pass leaves as one write of the transport below, in order:
`JoinedWrites` alone, and uvicorn's protocol over it answering a request."""

from __future__ import annotations

import asyncio
from typing import Any

import uvicorn
from starlette.types import Receive, Scope, Send
from uvicorn.server import ServerState

from service.cli.joined_writes import FLUSH_AT, JoinedWrites, JoinedWritesProtocol


class _Recording(asyncio.Transport):
    """The socket transport's part that `JoinedWrites` and uvicorn call, keeping each write."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, Any]] = []
        self.closing = False
        self.buffered = 0

    def write(self, data: Any) -> None:
        self.calls.append(("write", bytes(data)))

    def writelines(self, pieces: Any) -> None:
        self.calls.append(("write", b"".join(pieces)))  # one vectored write

    def write_eof(self) -> None:
        self.calls.append(("eof", None))

    def close(self) -> None:
        self.closing = True
        self.calls.append(("close", None))

    def abort(self) -> None:
        self.closing = True
        self.calls.append(("abort", None))

    def is_closing(self) -> bool:
        return self.closing

    def get_write_buffer_size(self) -> int:
        return self.buffered

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 5), "sockname": ("127.0.0.1", 80)}.get(name, default)


async def _passes(count: int = 1) -> None:
    for _ in range(count):
        await asyncio.sleep(0)  # lets the loop run what the last pass scheduled


async def test_writes_of_one_pass_leave_together_on_the_next() -> None:
    below = _Recording()
    joined = JoinedWrites(below, asyncio.get_running_loop())
    joined.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n")
    joined.write(bytearray(b"{}"))
    joined.write(b"")  # nothing to send: no write below
    assert below.calls == []
    assert joined.get_write_buffer_size() == 40
    await _passes()
    assert below.calls == [("write", b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}")]
    assert joined.get_write_buffer_size() == 0


async def test_writes_of_separate_passes_leave_separately() -> None:
    below = _Recording()
    joined = JoinedWrites(below, asyncio.get_running_loop())
    joined.writelines([b"a", b"b"])
    await _passes()
    joined.write(memoryview(b"c"))
    await _passes()
    assert below.calls == [("write", b"ab"), ("write", b"c")]


async def test_a_pass_that_writes_much_reaches_the_transport_at_once() -> None:
    below = _Recording()
    joined = JoinedWrites(below, asyncio.get_running_loop())
    half = b"x" * (FLUSH_AT // 2)
    joined.write(half)
    assert below.calls == []
    joined.write(half)  # FLUSH_AT held: the transport below sees it now, and its flow control
    assert below.calls == [("write", half + half)]
    joined.write(b"tail")
    await _passes()
    assert below.calls == [("write", half + half), ("write", b"tail")]


async def test_closing_and_ending_send_what_is_held_first() -> None:
    below = _Recording()
    joined = JoinedWrites(below, asyncio.get_running_loop())
    joined.write(b"last")
    joined.write_eof()
    joined.close()
    joined.write(b"after closing")  # dropped, as the transport below would
    await _passes()
    assert below.calls == [("write", b"last"), ("eof", None), ("close", None)]


async def test_aborting_drops_what_is_held() -> None:
    below = _Recording()
    joined = JoinedWrites(below, asyncio.get_running_loop())
    joined.write(b"never sent")
    joined.abort()
    await _passes()
    assert below.calls == [("abort", None)]


async def test_a_transport_closed_under_it_gets_nothing_more() -> None:
    below = _Recording()
    joined = JoinedWrites(below, asyncio.get_running_loop())
    joined.write(b"held")
    below.closing = True  # the peer went away before the next pass
    await _passes()
    assert below.calls == []


async def test_everything_else_is_the_transports_own() -> None:
    below = _Recording()
    joined = JoinedWrites(below, asyncio.get_running_loop())
    assert joined.get_extra_info("peername") == ("127.0.0.1", 5)
    assert not joined.is_closing()
    below.closing = True
    assert joined.is_closing()


_ANSWER = b'{"id": "1"}'


async def _cached_answer(scope: Scope, receive: Receive, send: Send) -> None:
    headers = [(b"content-type", b"application/json"), (b"content-length", b"11")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": _ANSWER})


def _protocol_over(below: _Recording) -> JoinedWritesProtocol:
    config = uvicorn.Config(_cached_answer, http=JoinedWritesProtocol, lifespan="off")
    config.load()
    protocol = JoinedWritesProtocol(
        config=config, server_state=ServerState(), app_state={}, _loop=asyncio.get_running_loop()
    )
    protocol.connection_made(below)
    return protocol


async def test_uvicorn_sends_an_answers_head_and_body_in_one_write() -> None:
    below = _Recording()
    protocol = _protocol_over(below)
    protocol.data_received(b"GET /titles/1 HTTP/1.1\r\nHost: t\r\n\r\n")
    await _passes(5)
    assert len(below.calls) == 1
    kind, sent = below.calls[0]
    assert kind == "write"
    assert sent.startswith(b"HTTP/1.1 200 OK\r\n")
    assert sent.endswith(b"content-length: 11\r\n\r\n" + _ANSWER)
    protocol.connection_lost(None)


async def test_a_half_closing_client_gets_what_is_held_before_the_close() -> None:
    below = _Recording()
    protocol = _protocol_over(below)
    protocol.data_received(b"GET /titles/1 HTTP/1.1\r\nHost: t\r\n\r\n")
    await _passes()  # the app ran and wrote; its answer is held for the next pass
    assert below.calls == []
    protocol.eof_received()
    below.close()  # what asyncio's and uvloop's transports do when eof_received returns None
    assert [kind for kind, _ in below.calls] == ["write", "close"]
    assert below.calls[0][1].endswith(_ANSWER)
    protocol.connection_lost(None)
