"""`python -m service.demo` (what `make run` runs): the proxy wired to a local emulator.

Starts the emulator as a separate process (`python -m emulator`; the service never imports it),
waits until it answers, then serves the proxy with uvicorn on the embedded store and the
emulator's published demo consumer pair. Prints the URLs, the demo subscribers (token pairs,
sign-in emails and passwords) and a short curl walkthrough; Ctrl-C stops both.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from types import FrameType

import uvicorn

from service.app import create_app
from service.cli.joined_writes import JoinedWritesProtocol
from service.log_format import logging_config
from service.settings import Settings

HOST = "127.0.0.1"
EMULATOR_START_TIMEOUT_S = 60.0


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m service.demo",
        description="Run the proxy on embedded defaults, wired to a local Netflix API emulator.",
    )
    parser.add_argument("--port", type=int, default=8080, help="proxy port (default 8080)")
    parser.add_argument(
        "--emulator-port", type=int, default=8081, help="emulator port (default 8081)"
    )
    parser.add_argument(
        "--catalog-size",
        type=int,
        default=None,
        help="titles the emulator generates (default: the emulator's)",
    )
    return parser.parse_args(argv)


def _answers(port: int) -> bool:
    try:
        socket.create_connection((HOST, port), 0.2).close()
    except OSError:
        return False
    return True


def _wait_for_port(port: int, process: subprocess.Popen[bytes], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the emulator exited with code {process.returncode}")
        if _answers(port):
            return
        time.sleep(0.1)
    raise SystemExit(f"the emulator did not answer on {HOST}:{port} in {timeout_s:.0f}s")


@contextlib.contextmanager
def running_emulator(
    port: int, catalog_size: int | None, per_second_limit: int
) -> Iterator[DemoCredentials]:
    """The emulator in a child process for as long as the block runs; yields its demo
    credentials.

    The emulator announces its demo subscribers on stderr before it listens; that output goes
    to a temporary file, read once the port answers (and shown if the emulator fails).
    """
    command = [
        sys.executable,
        "-m",
        "emulator",
        "--host",
        HOST,
        "--port",
        str(port),
        "--per-second-limit",
        str(per_second_limit),
        "--log-level",
        "warning",
    ]
    if catalog_size is not None:
        command += ["--catalog-size", str(catalog_size)]
    if _answers(port):
        raise SystemExit(f"port {port} is already in use; pick another with --emulator-port")
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, stdout=log, stderr=log)  # noqa: S603
        try:
            try:
                _wait_for_port(port, process, EMULATOR_START_TIMEOUT_S)
            except SystemExit:
                log.seek(0)
                sys.stderr.write(log.read().decode(errors="replace"))
                raise
            log.seek(0)
            yield parse_demo_credentials(log.read().decode(errors="replace"))
        finally:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()


@dataclass(frozen=True, slots=True)
class DemoCredentials:
    """What the emulator announces: token pairs and sign-in page logins of its subscribers."""

    tokens: list[tuple[str, str, str]]
    logins: list[tuple[str, str]]


def _listing(announcement: str, heading: str, width: int) -> list[list[str]]:
    """The indented rows of `width` fields under the line containing `heading`."""
    rows: list[list[str]] = []
    listing = False
    for line in announcement.splitlines():
        if heading in line:
            listing = True
            continue
        fields = line.split()
        if listing and line.startswith("    ") and len(fields) == width:
            rows.append(fields)
        elif listing:
            break
    return rows


def parse_demo_credentials(announcement: str) -> DemoCredentials:
    """(user_id, access_token, access_token_secret) and (email, password) rows of the
    emulator's start-up text."""
    return DemoCredentials(
        tokens=[(a, b, c) for a, b, c in _listing(announcement, "demo subscribers", 3)],
        logins=[(a, b) for a, b in _listing(announcement, "sign-in logins", 2)],
    )


def banner(proxy_url: str, emulator_url: str, demo: DemoCredentials) -> str:
    """What the demo prints once both servers run."""
    subscribers = demo.tokens
    lines = [
        "",
        f"  proxy     {proxy_url}   (API docs: {proxy_url}/docs)",
        f"  web app   {proxy_url}/   (sign in, search, queues, ratings)",
        f"  emulator  {emulator_url}   (Netflix API v1 stand-in, XML + OAuth 1.0a)",
        "",
        "  demo subscribers (user_id, access_token, access_token_secret):",
    ]
    lines += [f"    {user_id}  {token}  {secret}" for user_id, token, secret in subscribers]
    lines += [
        "",
        f"  sign-in page logins (email, password), at {proxy_url}/v1/auth/start?redirect=true:",
    ]
    lines += [f"    {email}  {password}" for email, password in demo.logins]
    _, token, secret = subscribers[0] if subscribers else ("", "TOKEN", "SECRET")
    lines += [
        "",
        "  try:",
        f"    curl -s '{proxy_url}/v1/titles?term=Jurassic%20Park&page_size=3'",
        f"    S=$(curl -s -X POST {proxy_url}/v1/auth/import -H 'content-type: application/json'"
        f' -d \'{{"access_token":"{token}","access_token_secret":"{secret}"}}\''
        " | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"session_token\"])')",
        f"    curl -s -X POST {proxy_url}/v1/me/queues/disc/entries"
        ' -H "Authorization: Bearer $S"'
        " -H 'content-type: application/json'"
        ' -d \'{"title":"movies/60020435","position":1}\'',
        "",
        "  Ctrl-C stops both.",
        "",
    ]
    return "\n".join(lines)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> None:
    """Run the emulator and the proxy until interrupted."""
    args = _parse(argv)
    emulator_url = f"http://{HOST}:{args.emulator_port}"
    proxy_url = f"http://{HOST}:{args.port}"
    settings = Settings(
        upstream_base_url=emulator_url, public_url=proxy_url, redis_url=None, redis_cluster=False
    )
    # The emulator counts its per-second limit per consumer key as well as per access token;
    # the proxy's own budget already holds each access token to NFX_BUDGET_USER_PER_S, so the
    # emulator is given the consumer-wide budget.
    limit = math.ceil(settings.budget_consumer_per_s)
    if _answers(args.port):
        raise SystemExit(f"port {args.port} is already in use; pick another with --port")
    with running_emulator(args.emulator_port, args.catalog_size, limit) as demo:
        app = create_app(settings)
        print(banner(proxy_url, emulator_url, demo), flush=True)
        server = uvicorn.Server(
            uvicorn.Config(
                app,
                host=HOST,
                port=args.port,
                log_level="info",
                # The app's own request log, as text lines (`service.log_format`).
                log_config=logging_config("text", "info"),
                access_log=False,
                http=JoinedWritesProtocol,  # an answer's head and body in one write
                proxy_headers=False,  # the app reads X-Forwarded-For (NFX_TRUSTED_PROXIES)
            )
        )
        # uvicorn re-raises the signal that stopped it under the previous handler; making
        # SIGTERM an interrupt too lets the emulator child be stopped on the way out.
        signal.signal(signal.SIGTERM, _interrupt)
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is the normal way out
            server.run()


if __name__ == "__main__":
    main()
