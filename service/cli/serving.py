"""Serve the proxy with uvicorn, one process or several, on a socket that keeps TCP_NODELAY.

uvicorn's own multi-worker mode binds its socket without naming the protocol, so the
connections accepted from it report protocol 0 and asyncio leaves Nagle's algorithm on for
them: a response written in two parts then waits for the client's delayed ACK, about 40 ms
for every request after the first on a keep-alive connection. Binding the socket here as
`IPPROTO_TCP` gives every accepted connection TCP_NODELAY, with one worker or many. Several
workers each listen on a socket of their own, bound to the same address with SO_REUSEPORT:
the kernel spreads connections over them (on one shared socket, one worker took them all).

Logging is configured here (`service.log_format`): uvicorn's access log off, the app's request
log on, JSON lines by default. With several workers, metrics are collected in prometheus_client's
multiprocess mode: the parent creates a private folder, names it in `PROMETHEUS_MULTIPROC_DIR`
before any worker starts (workers are spawned, so they read it when they first import
prometheus_client), tells prometheus_client when a worker is gone (its live gauges drop out),
and deletes the folder at exit. One worker keeps its metrics in memory.
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
import tempfile
from collections.abc import Callable
from typing import cast

import uvicorn
from prometheus_client import multiprocess
from uvicorn.supervisors import Multiprocess

from service.cli.joined_writes import JoinedWritesProtocol
from service.cli.problems import CliError
from service.log_format import LogFormat, logging_config
from service.metrics import MULTIPROC_ENV

APP = "service.app:create_app"


def bind(host: str, port: int, *, reuse_port: bool = False) -> socket.socket:
    """A listening TCP socket on (host, port) that worker processes can inherit.

    With `reuse_port`, other sockets may bind the same address (each worker its own).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise CliError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.set_inheritable(True)
    return sock


def server_config(
    *, host: str, port: int, workers: int, log_level: str, log_format: LogFormat
) -> uvicorn.Config:
    """uvicorn's settings for the proxy: the app factory, logging, the joined-writes protocol."""
    return uvicorn.Config(
        APP,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        log_config=logging_config(log_format, log_level),
        access_log=False,  # the app writes its own request log (service.request_layer)
        http=JoinedWritesProtocol,  # an answer's head and body in one write
        # Client addresses behind a load balancer are the app's business (trusted proxies).
        proxy_headers=False,
        server_header=False,
    )


def serve(
    *, host: str, port: int, workers: int, log_level: str, log_format: LogFormat = "json"
) -> None:
    """Serve until interrupted; several workers listen on one address."""
    sock = bind(host, port, reuse_port=workers > 1)
    config = server_config(
        host=host, port=port, workers=workers, log_level=log_level, log_format=log_format
    )
    server = uvicorn.Server(config)
    scheme_host = f"[{host}]" if ":" in host else host
    print(f"serving on http://{scheme_host}:{port} with {workers} worker(s)", file=sys.stderr)
    if workers == 1:
        server.run(sockets=[sock])
        return
    # Each worker listens on a socket of its own, all bound to the address with SO_REUSEPORT, so
    # the kernel spreads connections over the workers. On one shared socket the first worker
    # awake accepted a whole burst of keep-alive connections (all 32 of a benchmark's) and the
    # others idled. `sock` stays bound, never listening: it holds the address (port 0
    # resolved) while workers come and go.
    own = _OwnSocket(host, sock.getsockname()[1])
    folder = tempfile.mkdtemp(prefix="nfx-metrics-")  # private: mode 0700
    os.environ[MULTIPROC_ENV] = folder
    try:
        _Workers(config, sockets=[cast(socket.socket, own)], metrics_dir=folder).run()
    finally:
        sock.close()
        os.environ.pop(MULTIPROC_ENV, None)
        shutil.rmtree(folder, ignore_errors=True)


class _OwnSocket:
    """Stands for the listening socket in the supervisor: each worker unpickles a new one."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port

    def __reduce__(self) -> tuple[Callable[[str, int], socket.socket], tuple[str, int]]:
        return _reuse_port_socket, (self.host, self.port)


def _reuse_port_socket(host: str, port: int) -> socket.socket:
    """A worker's own socket on the shared address (uvicorn makes it listen)."""
    return bind(host, port, reuse_port=True)


class _Workers(Multiprocess):
    """uvicorn's supervisor, telling prometheus_client about each worker that is gone."""

    def __init__(self, config: uvicorn.Config, *, sockets: list[socket.socket], metrics_dir: str):
        super().__init__(config, sockets)
        self._metrics_dir = metrics_dir

    def keep_subprocess_alive(self) -> None:
        before = self._pids()
        super().keep_subprocess_alive()
        self._forget(before - self._pids())

    def handle_signals(self) -> None:  # restarts (HUP) and fewer workers (TTOU) replace pids
        before = self._pids()
        super().handle_signals()
        self._forget(before - self._pids())

    def _pids(self) -> set[int]:
        return {process.pid for process in self.processes if process.pid is not None}

    def _forget(self, gone: set[int]) -> None:
        for pid in gone:
            multiprocess.mark_process_dead(pid, self._metrics_dir)  # type: ignore[no-untyped-call]
