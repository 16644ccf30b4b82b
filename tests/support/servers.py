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


class RedisServer:
    """A private redis-server on a fixed port and data folder, which a test may kill and restart.

    With `append_only` it keeps an append-only file (fsync on every write, so a test that
    kills it loses nothing it acknowledged) and comes back with its data after a restart.
    """

    def __init__(self, workdir: str, *, append_only: bool = False) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
        self._binary = binary
        self._workdir = workdir
        self._append_only = append_only
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        persistence = ["--appendonly", "yes", "--appendfsync", "always"]
        if not self._append_only:
            persistence = ["--appendonly", "no"]
        self._process = subprocess.Popen(
            [
                self._binary,
                *("--port", str(self.port), "--bind", "127.0.0.1", "--save", ""),
                *persistence,
                *("--dir", self._workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port, process=self._process)

    def kill(self) -> None:
        """Stop the server at once (SIGKILL), as a crash would."""
        if self._process is not None:
            self._process.kill()
            self._process.wait(10)
            self._process = None

    def stop(self) -> None:
        """Stop the server cleanly."""
        if self._process is not None:
            self._process.terminate()
            self._process.wait(10)
            self._process = None


@contextlib.contextmanager
def redis_server(*, append_only: bool = False) -> Iterator[RedisServer]:
    """Start a throw-away redis-server on a free port; stop it and drop its data afterwards."""
    with tempfile.TemporaryDirectory() as workdir:
        server = RedisServer(workdir, append_only=append_only)
        server.start()
        try:
            yield server
        finally:
            server.stop()


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
