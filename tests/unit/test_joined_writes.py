"""What is written in one loop turn leaves as one write of the transport below, in order."""

from __future__ import annotations

import asyncio
from typing import Any

from service.cli.joined_writes import FLUSH_AT, JoinedWrites


class _Recording(asyncio.Transport):
    """The socket transport's part that `JoinedWrites` calls, keeping each call."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, Any]] = []
        self.closing = False
        self.buffered = 0

    def write(self, data: Any) -> None:
        self.calls.append(("write", bytes(data)))

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

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 5)}.get(name, default)


async def _turn() -> None:
    await asyncio.sleep(0)  # lets the callbacks of this turn run


async def test_writes_of_one_turn_leave_together_at_its_end() -> None:
    below = _Recording()
    joined = JoinedWrites(below, asyncio.get_running_loop())
    joined.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n")
    joined.write(bytearray(b"{}"))
    joined.write(b"")  # nothing to send: no write below
    assert below.calls == []
    assert joined.get_write_buffer_size() == 40
    await _turn()
    assert below.calls == [("write", b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}")]
    assert joined.get_write_buffer_size() == 0


async def test_writes_of_separate_turns_leave_separately() -> None:
    below = _Recording()
    joined = JoinedWrites(below, asyncio.get_running_loop())
    joined.writelines([b"a", b"b"])
    await _turn()
    joined.write(memoryview(b"c"))
    await _turn()
    assert below.calls == [("write", b"ab"), ("write", b"c")]


async def test_a_turn_that_writes_much_reaches_the_transport_at_once() -> None:
    below = _Recording()
    joined = JoinedWrites(below, asyncio.get_running_loop())
    half = b"x" * (FLUSH_AT // 2)
    joined.write(half)
    assert below.calls == []
    joined.write(half)  # FLUSH_AT held: the transport below sees it now, and its flow control
    assert below.calls == [("write", half + half)]
    joined.write(b"tail")
    await _turn()
    assert below.calls == [("write", half + half), ("write", b"tail")]


async def test_closing_and_ending_send_what_is_held_first() -> None:
    below = _Recording()
    joined = JoinedWrites(below, asyncio.get_running_loop())
    joined.write(b"last")
    joined.write_eof()
    joined.write(b"more")
    joined.close()
    joined.write(b"after closing")  # dropped, as asyncio's transport does
    await _turn()
    assert below.calls == [("write", b"last"), ("eof", None), ("write", b"more"), ("close", None)]


async def test_aborting_drops_what_is_held() -> None:
    below = _Recording()
    joined = JoinedWrites(below, asyncio.get_running_loop())
    joined.write(b"never sent")
    joined.abort()
    await _turn()
    assert below.calls == [("abort", None)]


async def test_a_transport_closed_under_it_gets_nothing_more() -> None:
    below = _Recording()
    joined = JoinedWrites(below, asyncio.get_running_loop())
    joined.write(b"held")
    below.closing = True  # the peer went away before the turn ended
    await _turn()
    assert below.calls == []


async def test_everything_else_is_the_transports_own() -> None:
    below = _Recording()
    joined = JoinedWrites(below, asyncio.get_running_loop())
    assert joined.get_extra_info("peername") == ("127.0.0.1", 5)
    below.buffered = 7
    assert joined.get_write_buffer_size() == 7
