"""The upstream budget: shared token buckets per access token and per consumer key."""

from __future__ import annotations

import asyncio
import time

import pytest

from service.errors import RateLimited
from service.store import keys
from service.store.budget import SignInThrottle, TokenBucketThrottle, client_id
from service.store.redis import RedisLike
from tests.support.store_backends import second_client, settings_for

pytestmark = pytest.mark.integration

CONSUMER = "consumer-key"


def throttle(
    client: RedisLike, *, user: float = 4.0, consumer: float = 1000.0, max_wait: float = 0.0
) -> TokenBucketThrottle:
    return TokenBucketThrottle(
        client,
        settings_for(
            None, budget_user_per_s=user, budget_consumer_per_s=consumer, budget_max_wait_s=max_wait
        ),
    )


async def allowed_within(
    budget: TokenBucketThrottle, seconds: float, *, access_token: str | None
) -> int:
    """How many calls the budget allows in a window when asked as fast as possible."""
    allowed = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            await budget.reserve(consumer_key=CONSUMER, access_token=access_token)
        except RateLimited:
            await asyncio.sleep(0.005)
        else:
            allowed += 1
    return allowed


async def test_burst_then_rate_per_access_token(store: RedisLike) -> None:
    budget = throttle(store, user=20.0)
    allowed = await allowed_within(budget, 1.0, access_token="token-a")
    # A full bucket of 20, then 20 per second for one second.
    assert 36 <= allowed <= 42


async def test_access_tokens_have_separate_buckets(store: RedisLike) -> None:
    budget = throttle(store, user=4.0)
    for _ in range(4):
        await budget.reserve(consumer_key=CONSUMER, access_token="token-a")
    with pytest.raises(RateLimited) as refused:
        await budget.reserve(consumer_key=CONSUMER, access_token="token-a")
    assert 0 < refused.value.retry_after <= 0.25
    assert refused.value.headers["Retry-After"] == "1"
    await budget.reserve(consumer_key=CONSUMER, access_token="token-b")


async def test_the_consumer_bucket_limits_every_user(store: RedisLike) -> None:
    budget = throttle(store, user=100.0, consumer=5.0)
    for index in range(5):
        await budget.reserve(consumer_key=CONSUMER, access_token=f"token-{index}")
    with pytest.raises(RateLimited):
        await budget.reserve(consumer_key=CONSUMER, access_token="token-new")
    with pytest.raises(RateLimited):
        await budget.reserve(consumer_key=CONSUMER, access_token=None)
    await budget.reserve(consumer_key="another-consumer", access_token=None)


async def test_a_refused_call_takes_nothing(store: RedisLike) -> None:
    budget = throttle(store, user=100.0, consumer=2.0)
    await budget.reserve(consumer_key=CONSUMER, access_token="token-a")
    await budget.reserve(consumer_key=CONSUMER, access_token="token-a")
    for _ in range(5):  # the consumer bucket refuses; the user bucket must not pay for it
        with pytest.raises(RateLimited):
            await budget.reserve(consumer_key=CONSUMER, access_token="token-a")
    state = await store.hgetall(keys.budget(CONSUMER, "token-a")[1] or "")
    assert float(state[b"tokens"]) == pytest.approx(98.0, abs=1.0)


async def test_short_waits_are_reserved_in_order(store: RedisLike) -> None:
    budget = throttle(store, user=10.0, max_wait=5.0)
    waits = [await budget.reserve(consumer_key=CONSUMER, access_token="token-a") for _ in range(30)]
    # 10 from the full bucket at once, then one every 0.1 s: the 30th waits about 2 s.
    assert waits[:10] == [0.0] * 10
    assert waits == sorted(waits)
    assert waits[-1] == pytest.approx(2.0, abs=0.1)


async def test_waits_longer_than_the_bound_are_refused(store: RedisLike) -> None:
    budget = throttle(store, user=10.0, max_wait=0.5)
    outcomes: list[str] = []
    for _ in range(20):
        try:
            await budget.reserve(consumer_key=CONSUMER, access_token="token-a")
            outcomes.append("ok")
        except RateLimited:
            outcomes.append("429")
    # 10 immediately, 5 more within the 0.5 s bound, the rest refused.
    assert outcomes.count("ok") in (15, 16)
    assert outcomes[-1] == "429"


async def test_the_throttle_sleeps_through_short_waits(store: RedisLike) -> None:
    budget = throttle(store, user=10.0, max_wait=2.0)
    started = time.monotonic()
    for _ in range(15):
        await budget(consumer_key=CONSUMER, access_token="token-a")
    assert 0.35 <= time.monotonic() - started <= 1.0  # 5 calls past the burst, at 10/s


async def test_replicas_share_the_budget(store: RedisLike) -> None:
    other = second_client(store)
    first, second = throttle(store, user=4.0), throttle(other, user=4.0)
    try:
        results = await asyncio.gather(
            *(
                (first if i % 2 else second).reserve(consumer_key=CONSUMER, access_token="tok")
                for i in range(12)
            ),
            return_exceptions=True,
        )
    finally:
        if other is not store:
            await other.aclose()
    assert sum(1 for r in results if not isinstance(r, BaseException)) == 4
    assert all(isinstance(r, RateLimited) for r in results if isinstance(r, BaseException))


async def test_slow_rates_still_allow_one_call(store: RedisLike) -> None:
    budget = throttle(store, user=0.5)
    await budget.reserve(consumer_key=CONSUMER, access_token="token-a")
    with pytest.raises(RateLimited) as refused:
        await budget.reserve(consumer_key=CONSUMER, access_token="token-a")
    assert refused.value.retry_after == pytest.approx(2.0, abs=0.1)


async def test_budget_is_not_enforced_when_redis_is_down(down_store: RedisLike) -> None:
    budget = throttle(down_store, user=1.0)
    for _ in range(5):
        await budget(consumer_key=CONSUMER, access_token="token-a")


async def test_buckets_expire_when_idle(store: RedisLike) -> None:
    budget = throttle(store, user=4.0)
    await budget.reserve(consumer_key=CONSUMER, access_token="token-a")
    consumer_key, user_key = keys.budget(CONSUMER, "token-a")
    assert user_key is not None
    assert 0 < await store.pttl(user_key) <= 3000
    assert 0 < await store.pttl(consumer_key) <= 3000


def sign_in_throttle(client: RedisLike, per_minute: int) -> SignInThrottle:
    return SignInThrottle(client, settings_for(None, signin_per_minute=per_minute))


async def test_sign_ins_are_counted_per_client_without_waiting(store: RedisLike) -> None:
    sign_ins = sign_in_throttle(store, 2)
    await sign_ins("192.0.2.1")
    await sign_ins("192.0.2.1")
    with pytest.raises(RateLimited) as refused:
        await sign_ins("192.0.2.1")
    assert refused.value.retry_after == pytest.approx(30.0, abs=1.0)  # 2 a minute
    await sign_ins("192.0.2.2")
    bucket = keys.sign_in_budget("192.0.2.1")
    assert 0 < await store.pttl(bucket) <= 61_000
    assert "192.0.2.1" not in bucket


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
