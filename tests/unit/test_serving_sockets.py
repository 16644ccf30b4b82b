"""How `serve` listens and answers: with several workers each on a socket of its own, all on
the address the parent holds; every connection over the joined-writes protocol."""

from __future__ import annotations

import pickle
import socket

from service.cli.joined_writes import JoinedWritesProtocol
from service.cli.serving import _OwnSocket, bind, server_config


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


def test_serve_answers_over_the_joined_writes_protocol() -> None:
    config = server_config(
        host="127.0.0.1", port=0, workers=2, log_level="warning", log_format="json"
    )
    assert config.http is JoinedWritesProtocol
    assert not config.access_log  # the app writes its own request log
