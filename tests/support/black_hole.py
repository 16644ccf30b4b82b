"""A Redis that is there but never answers: a loopback socket that listens and never reads.

The kernel completes each TCP handshake into the listen backlog, so a client connects at once
and then waits for replies until its own timeout: the slow outage that `store.breaker` is for.
Nothing accepts in the background; `connections()` takes what waits in the backlog (closed
ones included) and returns how many connections were ever made, so a test counts exactly.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator

_BACKLOG = 128


class BlackHole:
    """The listening socket and every connection taken from its backlog, held open unread."""

    def __init__(self) -> None:
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(_BACKLOG)
        self._listener.setblocking(False)
        self._taken: list[socket.socket] = []

    @property
    def url(self) -> str:
        """A redis:// URL pointing at the hole."""
        host, port = self._listener.getsockname()
        return f"redis://{host}:{port}/0"

    def connections(self) -> int:
        """How many connections clients have opened so far."""
        while True:
            try:
                conn, _ = self._listener.accept()
            except BlockingIOError:
                return len(self._taken)
            self._taken.append(conn)

    def close(self) -> None:
        """Close the listener and every connection taken."""
        for conn in self._taken:
            conn.close()
        self._listener.close()


@contextlib.contextmanager
def black_hole() -> Iterator[BlackHole]:
    """A `BlackHole` for the duration of the block."""
    hole = BlackHole()
    try:
        yield hole
    finally:
        hole.close()
