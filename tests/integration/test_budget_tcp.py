"""Three proxy processes share one Redis budget against an emulator that allows 4 calls a second.

Bursts spread over the replicas must never make the upstream refuse a call: every request is
answered 200 or 429 with Retry-After, and the emulator's own arrivals log shows at most 4
counted calls per caller in every sliding second.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet
from redis import Redis

from tests.support.arrivals import arrivals, most_in_any_window, refusals
from tests.support.ratelimit_fields import parse
from tests.support.tcp_stack import (
    TIMEOUT_S,
    bearer,
    demo_tokens,
    emulator_twin,
    import_session,
    start_emulator,
    start_proxy,
)

pytestmark = pytest.mark.integration

PER_SECOND = 4
BURST = 200


@dataclass(frozen=True)
class Stack:
    """The replicas' URLs, the emulator's arrivals log and a signed-in session."""

    proxies: list[str]
    log: Path
    session: str


@pytest.fixture(scope="module")
def stack(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    Redis.from_url(redis_url).flushdb()
    log = tmp_path_factory.mktemp("arrivals") / "arrivals.log"
    tokens = demo_tokens(emulator_twin())
    key = Fernet.generate_key().decode()
    with ExitStack() as processes:
        emulator = start_emulator(
            processes,
            NFX_EMULATOR_RATE_LIMITS="true",
            NFX_EMULATOR_PER_SECOND_LIMIT=str(PER_SECOND),
            NFX_EMULATOR_PER_DAY_LIMIT="100000",
            NFX_EMULATOR_ARRIVALS_LOG=str(log),
        )
        proxies = [
            start_proxy(
                processes,
                emulator,
                redis_url,
                key,
                NFX_BUDGET_USER_PER_S=str(PER_SECOND),
                NFX_BUDGET_CONSUMER_PER_S=str(PER_SECOND),
                # A burst of 200 keeps the test machine's 2 shared cores busy: calls take up to
                # ~0.25 s from leaving a proxy to being counted by the emulator, so the margin
                # covers that jitter.
                NFX_BUDGET_WINDOW_MARGIN_S="0.5",
                # On the same busy cores a request of the burst may wait over the default 1 s
                # for a pooled Redis connection; a store that is only slow is not down.
                NFX_REDIS_TIMEOUT_S="3",
                # Every read of a burst must go upstream: the per-subscriber cache is off.
                NFX_USER_CACHE_TTL_S="0",
                NFX_USER_CACHE_TTL_PROFILE_S="0",
            )
            for _ in range(3)
        ]
        session, _ = import_session(proxies[0], *tokens[0][1:])
        yield Stack(proxies, log, session)


async def _burst(stack: Stack, paths: list[str], headers: dict[str, str]) -> list[httpx.Response]:
    clients = [
        httpx.AsyncClient(
            base_url=proxy, timeout=TIMEOUT_S, limits=httpx.Limits(max_connections=BURST)
        )
        for proxy in stack.proxies
    ]
    try:
        return await asyncio.gather(
            *(
                clients[index % len(clients)].get(path, headers=headers)
                for index, path in enumerate(paths)
            )
        )
    finally:
        for client in clients:
            await client.aclose()


def _check(stack: Stack, answers: list[httpx.Response], since: float) -> None:
    statuses = {answer.status_code for answer in answers}
    assert statuses <= {200, 429}, [a.text for a in answers if a.status_code not in (200, 429)][:3]
    assert any(answer.status_code == 200 for answer in answers)
    for answer in answers:
        assert "ratelimit-policy" in answer.headers and "ratelimit" in answer.headers
        if answer.status_code == 429:
            retry_after = int(answer.headers["retry-after"])
            assert retry_after >= 1
            spent = [p for p in parse(answer.headers["ratelimit"]).values() if p["r"] == 0]
            assert spent and all(policy["t"] <= retry_after for policy in spent)
            assert "status_code" not in answer.json()  # refused here, never by the upstream
    assert refusals(stack.log) == 0
    for by_outcome in arrivals(stack.log).values():
        counted = [at for at in by_outcome.get("ok", []) if at >= since]
        assert most_in_any_window(counted, 1.0) <= PER_SECOND


def test_a_burst_of_user_reads_never_exceeds_the_token_limit(stack: Stack) -> None:
    time.sleep(1.5)  # the sign-in's own calls leave the window
    since = time.time()
    answers = asyncio.run(_burst(stack, ["/v1/me"] * BURST, bearer(stack.session)))
    _check(stack, answers, since)


def test_a_burst_of_catalog_misses_never_exceeds_the_consumer_limit(stack: Stack) -> None:
    time.sleep(1.5)
    since = time.time()
    paths = [f"/v1/titles?term=cold{index}" for index in range(BURST)]
    answers = asyncio.run(_burst(stack, paths, {}))
    _check(stack, answers, since)


def test_a_burst_on_one_process_gets_no_store_errors(stack: Stack) -> None:
    # 200 requests at once in one process once opened 200 Redis connections together and
    # timed out as if Redis were down (98 answers 503); the bounded pool makes them wait.
    time.sleep(1.5)
    since = time.time()
    one = replace(stack, proxies=stack.proxies[:1])
    answers = asyncio.run(_burst(one, ["/v1/me"] * BURST, bearer(stack.session)))
    _check(stack, answers, since)
