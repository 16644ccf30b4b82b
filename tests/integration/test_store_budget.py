"""The upstream budget: sliding-window logs per access token and consumer key, daily caps."""

from __future__ import annotations

import asyncio
import time

import pytest

from service.errors import RateLimited
from service.store import keys
from service.store.budget import SignInThrottle, UpstreamBudget, client_id
from service.store.redis import RedisLike
from service.store.reservations import DAY_S, Budget, Outcome, reserve
from tests.support.arrivals import most_in_any_window
from tests.support.store_backends import second_client, settings_for

pytestmark = pytest.mark.integration

CONSUMER = "consumer-key"


def throttle(
    client: RedisLike,
    *,
    user: int = 4,
    consumer: int = 1000,
    max_wait: float = 0.0,
    margin: float = 0.0,
    user_per_day: int = 0,
) -> UpstreamBudget:
    return UpstreamBudget(
        client,
        settings_for(
            None,
            budget_user_per_s=user,
            budget_consumer_per_s=consumer,
            budget_max_wait_s=max_wait,
            budget_window_margin_s=margin,
            budget_user_per_day=user_per_day,
            budget_consumer_per_day=0,
        ),
    )


def token_budget(limit: int, window_s: float, per_day: int = 0, token: str = "tok") -> Budget:  # noqa: S107 - a name
    user_keys = keys.budget(CONSUMER, token)[1]
    assert user_keys is not None
    return Budget("user", user_keys, limit, window_s, 1, per_day)


async def test_concurrent_reservers_never_crowd_a_window(store: RedisLike) -> None:
    other = second_client(store)
    budget = token_budget(4, 0.5)
    try:
        outcomes: list[Outcome] = await asyncio.gather(
            *(reserve(store if i % 2 else other, [budget], max_wait_s=1.2) for i in range(40))
        )
    finally:
        if other is not store:
            await other.aclose()
    taken = [outcome.at for outcome in outcomes if outcome.taken]
    # 4 at once, then 4 every 0.5 s: at least 12 fit within 1.2 s of waiting (more only when
    # the callers themselves were spread over time), the rest are refused.
    assert 12 <= len(taken) < 40
    assert most_in_any_window(taken, 0.5) == 4
    refused = [outcome for outcome in outcomes if not outcome.taken]
    assert all(outcome.refused_by == "window" and outcome.wait_s > 1.2 for outcome in refused)
    stored = [float(t) for t in await store.lrange(budget.keys.log, 0, -1)]
    assert stored == sorted(taken)[-4:]


async def test_reservations_are_first_come_first_served(store: RedisLike) -> None:
    budget = token_budget(2, 0.4)
    times: list[float] = []
    for _ in range(7):
        outcome = await reserve(store, [budget], max_wait_s=5.0)
        assert outcome.taken
        times.append(outcome.at)
    assert times == sorted(times)
    start = times[0]
    # Two per window, each pair one window after the previous one.
    assert [round((t - start) / 0.4) for t in times] == [0, 0, 1, 1, 2, 2, 3]
    # A caller unwilling to wait takes nothing and does not push later callers back.
    impatient = await reserve(store, [budget], max_wait_s=0.0)
    assert not impatient.taken
    patient = await reserve(store, [budget], max_wait_s=5.0)
    assert patient.at == pytest.approx(times[-1], abs=0.01)


async def test_a_budget_refuses_both_or_neither(store: RedisLike) -> None:
    budget = throttle(store, user=100, consumer=2)
    await budget.reserve(consumer_key=CONSUMER, access_token="token-a")
    await budget.reserve(consumer_key=CONSUMER, access_token="token-b")
    for _ in range(5):  # the consumer budget refuses; the user budget must not pay for it
        with pytest.raises(RateLimited):
            await budget.reserve(consumer_key=CONSUMER, access_token="token-a")
    user_keys = keys.budget(CONSUMER, "token-a")[1]
    assert user_keys is not None
    assert await store.llen(user_keys.log) == 1
    await budget.reserve(consumer_key="another-consumer", access_token="token-a")


async def test_access_tokens_have_separate_budgets(store: RedisLike) -> None:
    budget = throttle(store, user=4, margin=0.25)
    for _ in range(4):
        await budget.reserve(consumer_key=CONSUMER, access_token="token-a")
    with pytest.raises(RateLimited) as refused:
        await budget.reserve(consumer_key=CONSUMER, access_token="token-a")
    assert refused.value.retry_after == pytest.approx(1.25, abs=0.1)  # window plus margin
    assert refused.value.headers["Retry-After"] == "2"
    await budget.reserve(consumer_key=CONSUMER, access_token="token-b")


async def test_the_throttle_sleeps_until_its_reservation(store: RedisLike) -> None:
    budget = throttle(store, user=3, max_wait=2.0, margin=0.0)
    loop = asyncio.get_running_loop()
    started = loop.time()
    for _ in range(7):
        await budget(consumer_key=CONSUMER, access_token="token-a")
    assert loop.time() - started >= 2.0 - 0.05  # 3 now, 3 a second later, 1 at two seconds


async def test_a_call_that_leaves_late_reserves_again(store: RedisLike) -> None:
    budget = throttle(store, user=4, max_wait=2.0, margin=0.2)
    call = asyncio.create_task(budget(consumer_key=CONSUMER, access_token="token-a"))
    await asyncio.sleep(0)  # let it ask for its reservation
    time.sleep(0.3)  # noqa: ASYNC251 - a busy process: the call resumes past its time
    await call
    user_keys = keys.budget(CONSUMER, "token-a")[1]
    assert user_keys is not None
    # The late slot stays spent, and the call went out on a second, punctual one.
    assert await store.llen(user_keys.log) == 2


async def test_the_daily_cap_refuses_until_the_next_utc_day(store: RedisLike) -> None:
    budget = token_budget(100, 1.0, per_day=3)
    for _ in range(3):
        assert (await reserve(store, [budget], max_wait_s=0.0)).taken
    refused = await reserve(store, [budget], max_wait_s=5.0)
    assert not refused.taken and refused.refused_by == "day"
    seconds, micros = await store.time()
    now = seconds + micros / 1e6
    assert refused.wait_s == pytest.approx(DAY_S - now % DAY_S, abs=2.0)
    assert refused.states[0].day_remaining == 0
    day = await store.hgetall(budget.keys.day)
    assert int(day[b"n"]) == 3 and int(day[b"day"]) == int(now // DAY_S)


async def test_a_spent_day_is_a_429_with_an_honest_retry_after(store: RedisLike) -> None:
    budget = throttle(store, user=100, user_per_day=2, max_wait=2.0)
    for _ in range(2):
        await budget.reserve(consumer_key=CONSUMER, access_token="token-a")
    with pytest.raises(RateLimited) as refused:
        await budget.reserve(consumer_key=CONSUMER, access_token="token-a")
    assert "today" in refused.value.detail
    assert int(refused.value.headers["Retry-After"]) >= refused.value.retry_after > 0


async def test_budget_is_not_enforced_when_redis_is_down(down_store: RedisLike) -> None:
    budget = throttle(down_store, user=1)
    for _ in range(5):
        await budget(consumer_key=CONSUMER, access_token="token-a")


async def test_logs_expire_when_idle(store: RedisLike) -> None:
    budget = throttle(store, user=4, margin=0.5)
    await budget.reserve(consumer_key=CONSUMER, access_token="token-a")
    consumer_keys, user_keys = keys.budget(CONSUMER, "token-a")
    assert user_keys is not None
    for log in (consumer_keys.log, user_keys.log):
        assert 0 < await store.pttl(log) <= 2500
    assert 0 < await store.pttl(user_keys.day) <= (DAY_S + 60) * 1000


def sign_in_throttle(client: RedisLike, per_minute: int) -> SignInThrottle:
    return SignInThrottle(client, settings_for(None, signin_per_minute=per_minute))


async def test_sign_ins_are_counted_per_client_without_waiting(store: RedisLike) -> None:
    sign_ins = sign_in_throttle(store, 2)
    await sign_ins("192.0.2.1")
    await sign_ins("192.0.2.1")
    with pytest.raises(RateLimited) as refused:
        await sign_ins("192.0.2.1")
    assert refused.value.retry_after == pytest.approx(60.0, abs=1.0)  # the sliding minute
    await sign_ins("192.0.2.2")
    bucket = keys.sign_in_budget("192.0.2.1")
    assert 0 < await store.pttl(bucket.log) <= 61_000
    assert "192.0.2.1" not in bucket.log


async def test_sign_ins_are_not_limited_when_redis_is_down(down_store: RedisLike) -> None:
    sign_ins = sign_in_throttle(down_store, 1)
    for _ in range(5):
        await sign_ins("192.0.2.1")


def test_an_ipv6_line_is_one_client() -> None:
    assert client_id("2001:db8:1:2::1") == client_id("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    assert client_id("2001:db8:1:3::1") != client_id("2001:db8:1:2::1")
    assert client_id("::ffff:192.0.2.1") == client_id("192.0.2.1") == "192.0.2.1"
    assert client_id(None) == client_id("") == ""
    assert client_id("testclient") == "testclient"
