"""The request edges on a real uvicorn process, started as the image starts it.

Oversized and trickled bodies over a raw socket, a forged X-Forwarded-For from an untrusted
peer, and the process's own logs (JSON request lines, as `netflix-proxy serve` writes them)
after a full sign-in and a queue write, scanned for every secret of them.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from cryptography.fernet import Fernet

from tests.support.servers import ServerProcess
from tests.support.tcp_stack import (
    TIMEOUT_S,
    addable_titles,
    approve_at_login_page,
    demo_logins,
    emulator_twin,
    proxy_process,
    start_emulator,
)

pytestmark = pytest.mark.integration

SIGN_IN_LIMIT = 3
BODY_TIMEOUT_S = 1.0


@dataclass(frozen=True)
class Running:
    """One emulator and one proxy process (`netflix-proxy serve`, JSON request log on)."""

    emulator: str
    proxy: str
    process: ServerProcess


@pytest.fixture(scope="module")
def running(redis_url: str) -> Iterator[Running]:
    with ExitStack() as processes:
        emulator = start_emulator(processes)
        proxy, process = proxy_process(
            processes,
            emulator,
            redis_url,
            Fernet.generate_key().decode(),
            env={"NFX_BODY_TIMEOUT_S": str(BODY_TIMEOUT_S)},
            serve=["--log-format", "json"],
        )
        yield Running(emulator, proxy, process)


def raw_exchange(proxy: str, request: bytes, trickle: bytes = b"", pause_s: float = 0.0) -> bytes:
    """Send a request head (and maybe a body byte by byte); read the whole answer."""
    parts = urlsplit(proxy)
    with socket.create_connection((parts.hostname or "", parts.port or 80), TIMEOUT_S) as conn:
        conn.sendall(request)
        try:
            for byte in trickle:
                conn.sendall(bytes([byte]))
                time.sleep(pause_s)
        except OSError:
            pass  # the server may close the connection on us: its answer is what counts
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    return answer


def test_a_declared_10_mb_body_gets_413_before_any_of_it_is_sent(running: Running) -> None:
    head = (
        b"POST /v1/auth/import HTTP/1.1\r\nHost: proxy\r\nContent-Type: application/json\r\n"
        b"Content-Length: 10485760\r\n\r\n"
    )
    answer = raw_exchange(running.proxy, head)  # not one byte of the body is sent
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line == b"HTTP/1.1 413 Request Entity Too Large", answer[:200]
    assert b"application/problem+json" in rest
    assert b"connection: close" in rest.lower()


def test_a_trickled_body_gets_408(running: Running) -> None:
    head = (
        b"POST /v1/auth/import HTTP/1.1\r\nHost: proxy\r\nContent-Type: application/json\r\n"
        b"Content-Length: 40\r\n\r\n"
    )
    answer = raw_exchange(running.proxy, head, trickle=b"{" * 40, pause_s=BODY_TIMEOUT_S / 5)
    assert answer.startswith(b"HTTP/1.1 408 "), answer[:200]
    assert b"request-timeout" in answer


def test_x_forwarded_for_from_an_untrusted_peer_is_ignored(running: Running) -> None:
    with ExitStack() as processes:
        limited, _ = proxy_process(  # its own (embedded) store: its own budgets
            processes,
            running.emulator,
            None,
            Fernet.generate_key().decode(),
            env={"NFX_SIGNIN_PER_MINUTE": str(SIGN_IN_LIMIT)},
        )
        with httpx.Client(base_url=limited, timeout=TIMEOUT_S) as client:
            statuses = [
                client.post("/v1/auth/start", headers={"X-Forwarded-For": f"198.51.100.{n}"})
                for n in range(SIGN_IN_LIMIT + 1)
            ]
    assert [answer.status_code for answer in statuses] == [200] * SIGN_IN_LIMIT + [429]


def test_no_secret_of_a_full_sign_in_and_a_queue_write_reaches_the_logs(
    running: Running,
) -> None:
    twin = emulator_twin()
    login = demo_logins(twin)[0]
    title = addable_titles(twin, login.user_id)[0]
    with (
        httpx.Client(base_url=running.proxy, timeout=TIMEOUT_S) as app,
        httpx.Client(base_url=running.emulator, timeout=TIMEOUT_S) as browser,
    ):
        link = app.post("/v1/auth/start", json={}).json()
        callback = approve_at_login_page(browser, link["login_url"], login)
        assert app.get(callback).status_code == 200
        assert app.get(callback).status_code == 401  # a refused callback is logged too
        claim = {key: link[key] for key in ("sign_in_id", "sign_in_secret")}
        session = app.post("/v1/auth/session", json=claim).json()["session_token"]
        me = app.get(f"/v1/auth/me?session_token={session}", headers=bearer(session))
        assert me.status_code == 200
        queued = app.post(
            "/v1/me/queues/disc/entries", headers=bearer(session), json={"title": title}
        )
        assert queued.status_code == 201, queued.text
    query = parse_qs(urlsplit(callback).query)
    secrets = {
        "request token": query["oauth_token"][0],
        "verifier": query["oauth_verifier"][0],
        "sign-in secret": link["sign_in_secret"],
        "session token": session,
    }
    log = running.process.log()
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    requests = [line for line in lines if line.get("logger") == "service.requests"]
    assert not any(line.get("logger") == "uvicorn.access" for line in lines)  # off under serve
    routes = [(line["method"], line["route"], line["status"]) for line in requests]
    # The request log is on and has every step, the queue write's upstream calls counted.
    assert ("GET", "/v1/auth/callback", 401) in routes
    assert ("POST", "/v1/auth/session", 200) in routes
    write = [line for line in requests if line["route"] == "/v1/me/queues/{queue}/entries"]
    assert [line["status"] for line in write] == [201]
    assert write[0]["upstream_calls"] >= 1
    for name, value in secrets.items():
        assert value not in log, name


def bearer(session: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {session}"}
