"""Several workers: each listens on a socket of its own, all on the address the parent holds."""

from __future__ import annotations

import pickle
import socket

from service.cli.serving import _OwnSocket, bind


def test_each_worker_gets_its_own_socket_on_the_held_address() -> None:
    holder = bind("127.0.0.1", 0, reuse_port=True)
    port = holder.getsockname()[1]
    stand_in = _OwnSocket("127.0.0.1", port)
    first = pickle.loads(pickle.dumps(stand_in))  # noqa: S301  # as a spawned worker gets it
    second = pickle.loads(pickle.dumps(stand_in))  # noqa: S301  # our own bytes
    try:
        assert isinstance(first, socket.socket)
        assert first.getsockname()[1] == second.getsockname()[1] == port
        assert first.fileno() != second.fileno()
        assert first.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT)
        assert first.proto == socket.IPPROTO_TCP  # accepted connections get TCP_NODELAY
        first.listen()
        second.listen()
    finally:
        for sock in (first, second, holder):
            sock.close()
