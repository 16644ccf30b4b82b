"""A persistent Redis restarted under load: sessions survive and the proxy recovers by itself.

Redis runs with its append-only file, as `docker-compose.yml` runs it. A bounded loop of
session and catalog reads keeps going while Redis is killed and started again on the same
port and data folder; the proxy is never restarted.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass

import httpx
import pytest
from cryptography.fernet import Fernet

from tests.support.servers import RedisServer, redis_server
from tests.support.tcp_stack import (
    bearer,
    demo_tokens,
    emulator_twin,
    import_session,
    start_emulator,
    start_proxy,
)

pytestmark = pytest.mark.integration

REDIS_TIMEOUT_S = 0.5
RETRY_AFTER_S = 1.0  # the default of NFX_REDIS_RETRY_AFTER_S
DOWN_FOR_S = 1.5
LOOP_LIMIT_S = 15.0  # the loop's own bound: it stops by itself whatever happens
RECOVERY_BOUND_S = 2.0


@dataclass(frozen=True)
class Outcome:
    """One request of the loop: when it started, how long it took, what it answered."""

    path: str
    started: float
    took: float
    status: int
    retry_after: str | None


@dataclass
class Stack:
    redis: RedisServer
    proxy: str
    session: str


@pytest.fixture
def stack() -> Iterator[Stack]:
    with redis_server(append_only=True) as redis, ExitStack() as processes:
        emulator = start_emulator(processes)
        proxy = start_proxy(
            processes,
            emulator,
            redis.url,
            Fernet.generate_key().decode(),
            NFX_REDIS_TIMEOUT_S=str(REDIS_TIMEOUT_S),
        )
        _, token, secret = demo_tokens(emulator_twin())[0]
        session, _ = import_session(proxy, token, secret)
        yield Stack(redis, proxy, session)


def _loop(stack: Stack, stop: threading.Event, outcomes: list[Outcome]) -> None:
    """Alternate a session read and a catalog read until told to stop (or the bound)."""
    paths = ["/v1/auth/me", "/v1/titles?term=Jurassic%20Park"]
    deadline = time.monotonic() + LOOP_LIMIT_S
    with httpx.Client(base_url=stack.proxy, timeout=10, headers=bearer(stack.session)) as client:
        turn = 0
        while not stop.is_set() and time.monotonic() < deadline:
            path = paths[turn % 2]
            turn += 1
            started = time.monotonic()
            answer = client.get(path)
            outcomes.append(
                Outcome(
                    path,
                    started,
                    time.monotonic() - started,
                    answer.status_code,
                    answer.headers.get("retry-after"),
                )
            )
            time.sleep(0.02)


def test_sessions_survive_a_redis_restart_and_the_proxy_recovers_alone(stack: Stack) -> None:
    outcomes: list[Outcome] = []
    stop = threading.Event()
    loop = threading.Thread(target=_loop, args=(stack, stop, outcomes))
    loop.start()
    try:
        time.sleep(0.5)
        stack.redis.kill()
        time.sleep(DOWN_FOR_S)
        stack.redis.start()
        back_at = time.monotonic()
        time.sleep(RETRY_AFTER_S + RECOVERY_BOUND_S + 0.5)
    finally:
        stop.set()
        loop.join(LOOP_LIMIT_S + 5)

    assert not loop.is_alive()
    statuses = {outcome.status for outcome in outcomes}
    assert statuses <= {200, 503}, statuses
    down = [outcome for outcome in outcomes if outcome.status == 503]
    assert down, "the loop never met the outage"
    assert all(outcome.retry_after for outcome in down)
    # Nothing waits on a dead Redis for longer than its timeout (with slack for a busy host).
    assert max(outcome.took for outcome in outcomes) < 2 * REDIS_TIMEOUT_S + 1.0
    # The session made before the crash is still valid after it, without a new sign-in.
    recovered = [
        outcome
        for outcome in outcomes
        if outcome.path == "/v1/auth/me" and outcome.status == 200 and outcome.started > back_at
    ]
    assert recovered, "the session was not honoured after the restart"
    assert recovered[0].started - back_at < RECOVERY_BOUND_S
    after = [outcome for outcome in outcomes if outcome.started > recovered[0].started]
    assert after and all(outcome.status == 200 for outcome in after)
    with httpx.Client(base_url=stack.proxy, timeout=10) as client:
        me = client.get("/v1/auth/me", headers=bearer(stack.session))
        ready = client.get("/readyz")
    assert me.status_code == 200, me.text
    assert ready.status_code == 200, ready.text
