"""Serve the proxy with uvicorn, one process or several, on a socket that keeps TCP_NODELAY.

uvicorn's own multi-worker mode binds its socket without naming the protocol, so the
connections accepted from it report protocol 0 and asyncio leaves Nagle's algorithm on for
them: a response written in two parts then waits for the client's delayed ACK, about 40 ms
for every request after the first on a keep-alive connection. Binding the socket here as
`IPPROTO_TCP` (which the workers inherit) gives every accepted connection TCP_NODELAY, with
one worker or many.
"""

from __future__ import annotations

import socket
import sys

import uvicorn
from uvicorn.supervisors import Multiprocess

from service.cli.problems import CliError

APP = "service.app:create_app"


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on (host, port) that worker processes can inherit."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise CliError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.set_inheritable(True)
    return sock


def serve(*, host: str, port: int, workers: int, log_level: str) -> None:
    """Serve until interrupted; several workers share one socket."""
    sock = bind(host, port)
    config = uvicorn.Config(
        APP,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        # Client addresses behind a load balancer are the app's business (trusted proxies).
        proxy_headers=False,
        server_header=False,
    )
    server = uvicorn.Server(config)
    scheme_host = f"[{host}]" if ":" in host else host
    print(f"serving on http://{scheme_host}:{port} with {workers} worker(s)", file=sys.stderr)
    if workers == 1:
        server.run(sockets=[sock])
    else:
        Multiprocess(config, sockets=[sock]).run()
