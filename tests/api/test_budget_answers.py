"""What clients see of the upstream budget: RateLimit headers, back-pressure, daily refusals.

Another application signing with the same access token spends the emulator's limits behind
the proxy's back; its calls go straight to the emulator through an unthrottled client.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from emulator import EmulatorConfig
from service.errors import RateLimited
from service.netflix.transport import AccessToken
from service.store.sessions import Session
from tests.support.arrivals import arrivals
from tests.support.emulator_client import emulator_client
from tests.support.proxy import CATALOG_SIZE, Proxy, running_proxy
from tests.support.ratelimit_fields import parse


@asynccontextmanager
async def limited_proxy(redis_url: str, log: Path, *, per_day: int) -> AsyncIterator[Proxy]:
    config = EmulatorConfig(
        catalog_size=CATALOG_SIZE, per_second_limit=4, per_day_limit=per_day, arrivals_log=str(log)
    )
    async with running_proxy(redis_url, emulator_config=config) as proxy:
        yield proxy


async def other_application_calls(proxy: Proxy, count: int) -> None:
    """`count` calls with the first subscriber's token that the proxy does not know of."""
    user_id, token, secret = proxy.demo_tokens()[0]
    async with proxy.emulator_client() as http:
        client = emulator_client(http)
        for _ in range(count):
            with contextlib.suppress(RateLimited):  # the emulator may refuse some already
                await client.for_subscriber(Session("", user_id, AccessToken(token, secret))).user()


def outcomes(log: Path) -> list[str]:
    return [
        outcome for by in arrivals(log).values() for outcome, times in by.items() for _ in times
    ]


async def test_budgeted_answers_carry_ratelimit_headers(redis_url: str, tmp_path: Path) -> None:
    async with limited_proxy(redis_url, tmp_path / "arrivals.log", per_day=5000) as proxy:
        session, _ = await proxy.sign_in()
        answer = await proxy.client.get("/v1/me", headers={"Authorization": f"Bearer {session}"})
        assert answer.status_code == 200, answer.text
        policies = parse(answer.headers["ratelimit-policy"])
        assert policies["user"] == {"q": 4, "w": 1}
        assert policies["user-day"] == {"q": 5000, "w": 86400}
        assert policies["consumer"] == {"q": 50, "w": 1}
        state = parse(answer.headers["ratelimit"])
        assert set(state) == set(policies)
        assert 0 <= state["user"]["r"] < 4 and 0 <= state["user"]["t"] <= 2
        assert 0 < state["user-day"]["r"] < 5000 and 0 < state["user-day"]["t"] <= 86400
        search = {"term": "the"}
        assert "ratelimit" in (await proxy.client.get("/v1/titles", params=search)).headers
        cached = await proxy.client.get("/v1/titles", params=search)
        assert cached.headers["x-cache"] == "HIT"
        assert "ratelimit" not in cached.headers


async def test_upstream_per_second_refusals_are_waited_out(redis_url: str, tmp_path: Path) -> None:
    log = tmp_path / "arrivals.log"
    async with limited_proxy(redis_url, log, per_day=5000) as proxy:
        session, _ = await proxy.sign_in()
        await other_application_calls(proxy, 4)
        answer = await proxy.client.get("/v1/me", headers={"Authorization": f"Bearer {session}"})
    assert answer.status_code == 200, answer.text
    assert "qps" in outcomes(log)  # the upstream did refuse, and the proxy waited


async def test_a_spent_upstream_day_is_429_at_once(redis_url: str, tmp_path: Path) -> None:
    log = tmp_path / "arrivals.log"
    async with limited_proxy(redis_url, log, per_day=3) as proxy:
        session, _ = await proxy.sign_in()
        await other_application_calls(proxy, 3)
        refused_before = outcomes(log).count("day")
        answer = await proxy.client.get("/v1/me", headers={"Authorization": f"Bearer {session}"})
    assert answer.status_code == 429, answer.text
    assert answer.json()["status_code"] == 403
    assert int(answer.headers["retry-after"]) > 1  # the next UTC day, not the next second
    assert outcomes(log).count("day") == refused_before + 1  # refused once, never retried
    assert "ratelimit" in answer.headers
