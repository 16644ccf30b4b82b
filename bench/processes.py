"""The servers one benchmark run starts: nginx, a bare FastAPI app, the proxy, the emulator.

Each is a context manager that starts the process on a free port of 127.0.0.1, waits until
it accepts connections and stops it afterwards, so no server outlives the run.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.support.servers import free_port, wait_for_port

START_TIMEOUT_S = 120.0
BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Server:
    """A started server: its base URL and process id (for its memory)."""

    url: str
    pid: int


@contextlib.contextmanager
def spawn(command: Sequence[str], port: int, env: dict[str, str] | None = None) -> Iterator[Server]:
    """Run `command` until `port` answers; terminate it (then kill) on the way out."""
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            list(command), env={**os.environ, **(env or {})}, stdout=log, stderr=log
        )
        try:
            try:
                wait_for_port(port, timeout=START_TIMEOUT_S, process=process)
            except (RuntimeError, TimeoutError) as exc:
                log.seek(0)
                output = log.read().decode(errors="replace")
                raise RuntimeError(f"{command[0]} did not start:\n{output}") from exc
            yield Server(f"http://127.0.0.1:{port}", process.pid)
        finally:
            process.terminate()
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(15)


_NGINX_CONF = """
worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {dir}/www;
        location / {{ default_type application/json; }}
    }}
}}
"""


def nginx_version() -> str:
    """`nginx/1.22.1`, or `missing`."""
    binary = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if binary is None:
        return "missing"
    done = subprocess.run([binary, "-v"], capture_output=True, text=True, check=False)
    return done.stderr.strip().removeprefix("nginx version: nginx/")


@contextlib.contextmanager
def nginx(name: str, body: bytes) -> Iterator[Server]:
    """A private nginx (one worker, its own prefix and config) serving `body` as `/{name}`."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    with tempfile.TemporaryDirectory() as workdir:
        root = Path(workdir)
        (root / "www").mkdir()
        (root / "www" / name).write_bytes(body)
        # Run as root, nginx serves files as `nobody`: let it read them.
        for path in (root, root / "www", root / "www" / name):
            path.chmod(0o755)
        port = free_port()
        (root / "nginx.conf").write_text(_NGINX_CONF.format(dir=root, port=port))
        command = [
            binary,
            "-p",
            str(root),
            "-c",
            str(root / "nginx.conf"),
            "-e",
            str(root / "error.log"),
        ]
        with spawn(command, port) as server:
            yield server


def _uvicorn_flags(port: int) -> list[str]:
    return ["--host", "127.0.0.1", "--port", str(port), "--loop", "uvloop", "--http", "httptools"]


@contextlib.contextmanager
def bare_fastapi(body_file: Path) -> Iterator[Server]:
    """`bench.bare_app` under uvicorn (one worker, the proxy's loop and parser)."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "bench.bare_app:app", *_uvicorn_flags(port)]
    env = {"BENCH_BODY_FILE": str(body_file)}
    with spawn([*command, "--log-level", "warning"], port, env) as server:
        yield server


@contextlib.contextmanager
def redis() -> Iterator[str]:
    """A private redis-server; yields its URL."""
    port = free_port()
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed (make redis-server)")
    with tempfile.TemporaryDirectory() as workdir:
        command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        command += ["--appendonly", "no", "--dir", workdir]
        with spawn(command, port):
            yield f"redis://127.0.0.1:{port}/0"


@contextlib.contextmanager
def emulator(*, catalog_size: int, arrivals_log: Path | None = None) -> Iterator[Server]:
    """The emulator with its rate limits off, or, with `arrivals_log`, limits so high they
    never refuse but every call is written to that log (how upstream calls are counted)."""
    port = free_port()
    command = [sys.executable, "-m", "emulator", "--host", "127.0.0.1", "--port", str(port)]
    env = {"NFX_EMULATOR_CATALOG_SIZE": str(catalog_size), "NFX_EMULATOR_RATE_LIMITS": "false"}
    if arrivals_log is not None:
        command += ["--rate-limits", "--per-second-limit", "1000000000"]
        command += ["--per-day-limit", "1000000000", "--arrivals-log", str(arrivals_log)]
    with spawn(command, port, env) as server:
        yield server


@contextlib.contextmanager
def proxy(
    upstream: str, redis_url: str, key: str, *, workers: int = 1, **env: str
) -> Iterator[Server]:
    """`netflix-proxy serve` on Redis with the upstream budget out of the way; `env` on top."""
    port = free_port()
    command = [str(BIN / "netflix-proxy"), "serve", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", str(workers), "--log-level", "warning"]
    settings = {
        "NFX_UPSTREAM_BASE_URL": upstream,
        "NFX_REDIS_URL": redis_url,
        "NFX_TOKEN_ENCRYPTION_KEY": key,
        "NFX_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "NFX_BUDGET_CONSUMER_PER_S": "1000000",
        "NFX_BUDGET_USER_PER_S": "1000000",
        "NFX_BUDGET_CONSUMER_PER_DAY": "0",
        "NFX_BUDGET_USER_PER_DAY": "0",
        **env,
    }
    with spawn(command, port, settings) as server:
        yield server
