"""Real servers for tests: a private redis-server and processes serving over TCP."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(
    port: int,
    timeout: float = 20.0,
    process: subprocess.Popen[bytes] | None = None,
) -> None:
    """Block until something accepts connections on the port."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process exited early with {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on port {port}")


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    """Start a throw-away redis-server on a free port and yield its URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    with tempfile.TemporaryDirectory() as workdir:
        process = subprocess.Popen(
            [
                binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                workdir,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for_port(port, process=process)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            process.terminate()
            process.wait(10)


@dataclass
class ServerProcess:
    """A child server and the file its output goes to (a file, so a chatty child never blocks)."""

    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        """Everything the child wrote to its log so far."""
        return self.log_path.read_text(errors="replace")


@contextlib.contextmanager
def python_server(
    module_args: Sequence[str],
    port: int,
    env: dict[str, str] | None = None,
    *,
    capture_stdout: bool = False,
) -> Iterator[ServerProcess]:
    """Run `python -m ...` in a child process until the port answers; stop it afterwards.

    `capture_stdout` sends stdout (where uvicorn writes its access log) to the log file too.
    """
    with tempfile.TemporaryDirectory() as workdir:
        log_path = Path(workdir) / "stderr.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", *module_args],
                env={**os.environ, **(env or {})},
                stdout=log if capture_stdout else subprocess.DEVNULL,
                stderr=log,
            )
        server = ServerProcess(process, log_path)
        try:
            try:
                wait_for_port(port, process=process)
            except (RuntimeError, TimeoutError) as exc:
                command = " ".join(module_args)
                raise RuntimeError(f"{command} did not start:\n{server.log()}") from exc
            yield server
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
