"""The home screen over TCP: its sections run at once, so it takes about its slowest one.

The emulator delays every answer (latency fault injection) and allows 4 calls a second per
token, as Netflix did; the proxy runs with its default budget. Each section is timed alone,
then the whole screen: it must take well under the sum of the sections, and the upstream must
refuse none of its six calls (the budget paces the two that do not fit in the first second).
"""

from __future__ import annotations

import time
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet
from redis import Redis

from tests.support.arrivals import refusals
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

LATENCY_MS = 1000
SECTIONS = (
    "profile",
    "disc_queue",
    "instant_queue",
    "at_home",
    "rental_history",
    "recommendations",
)


def test_home_takes_about_its_slowest_section_not_the_sum(redis_url: str, tmp_path: Path) -> None:
    Redis.from_url(redis_url).flushdb()
    log = tmp_path / "arrivals.log"
    _, token, secret = demo_tokens(emulator_twin())[0]
    with ExitStack() as processes:
        emulator = start_emulator(
            processes,
            NFX_EMULATOR_RATE_LIMITS="true",
            NFX_EMULATOR_PER_SECOND_LIMIT="4",
            NFX_EMULATOR_ARRIVALS_LOG=str(log),
            NFX_EMULATOR_FAULT_LATENCY_MS=str(LATENCY_MS),
        )
        proxy = start_proxy(processes, emulator, redis_url, Fernet.generate_key().decode())
        session, _ = import_session(proxy, token, secret)
        with httpx.Client(base_url=proxy, timeout=TIMEOUT_S, headers=bearer(session)) as client:
            alone: dict[str, float] = {}
            for section in SECTIONS:
                started = time.perf_counter()
                answer = client.get("/v1/me/home", params={"sections": section})
                alone[section] = time.perf_counter() - started
                assert answer.status_code == 200, answer.text
                assert answer.json()[section] is not None
            time.sleep(1.5)  # the sections' calls leave the budget's window
            started = time.perf_counter()
            answer = client.get("/v1/me/home")
            total = time.perf_counter() - started
    assert answer.status_code == 200, answer.text
    home = answer.json()
    assert home["problems"] == {}
    assert all(home[section] is not None for section in SECTIONS)
    assert min(alone.values()) >= LATENCY_MS / 1000  # each section did wait on the upstream
    assert total < 0.6 * sum(alone.values()), (total, alone)
    assert refusals(log) == 0
