"""The proxy and the emulator as real processes over TCP, with a real redis-server.

Two proxy replicas share one Redis here, as in production: sessions made on one work on the
other, and identical concurrent misses across both make one upstream fill.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass

import httpx
import pytest
from cryptography.fernet import Fernet
from redis import Redis

from tests.support.servers import free_port
from tests.support.tcp_stack import (
    approve_at_login_page,
    demo_logins,
    emulator_twin,
    start_emulator,
    start_proxy,
)

pytestmark = pytest.mark.integration

ADMIN_TOKEN = "integration-admin-token"
JURASSIC_PARK = "/v1/titles/movies/60020435"


@dataclass(frozen=True)
class Stack:
    """URLs of the running processes."""

    emulator: str
    proxy_a: str
    proxy_b: str


def _proxy(stack: ExitStack, upstream: str, redis_url: str | None, key: str, **env: str) -> str:
    return start_proxy(stack, upstream, redis_url, key, NFX_ADMIN_TOKEN=ADMIN_TOKEN, **env)


@pytest.fixture(scope="module")
def stack(redis_url: str) -> Iterator[Stack]:
    Redis.from_url(redis_url).flushdb()
    key = Fernet.generate_key().decode()
    with ExitStack() as processes:
        emulator = start_emulator(processes)
        yield Stack(
            emulator,
            _proxy(processes, emulator, redis_url, key=key),
            _proxy(processes, emulator, redis_url, key=key),
        )


def test_readiness_and_catalog_cache_over_tcp(stack: Stack) -> None:
    with httpx.Client(base_url=stack.proxy_a, timeout=10) as client:
        ready = client.get("/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json() == {"status": "ready", "redis": True, "upstream": True}
        first = client.get("/v1/titles", params={"term": "Jurassic Park tcp"})
        second = client.get("/v1/titles", params={"term": "jurassic park TCP"})
    assert first.status_code == 200, first.text
    assert first.headers["x-cache"] == "MISS"
    assert second.headers["x-cache"] == "HIT"
    with httpx.Client(base_url=stack.proxy_b, timeout=10) as other:
        shared = other.get("/v1/titles", params={"term": "Jurassic Park tcp"})
    assert shared.headers["x-cache"] == "HIT"  # from Redis: this replica never fetched it
    assert shared.content == first.content


def test_concurrent_misses_on_two_replicas_fill_once(stack: Stack) -> None:
    async def burst() -> list[httpx.Response]:
        async with httpx.AsyncClient(timeout=10) as client:
            return await asyncio.gather(
                *(
                    client.get(f"{base}/v1/people", params={"term": "Spielberg"})
                    for base in [stack.proxy_a, stack.proxy_b] * 8
                )
            )

    answers = asyncio.run(burst())
    assert {a.status_code for a in answers} == {200}
    assert [a.headers["x-cache"] for a in answers].count("MISS") == 1
    assert len({a.content for a in answers}) == 1


def test_sign_in_on_one_replica_works_on_the_other(stack: Stack) -> None:
    with (
        httpx.Client(base_url=stack.proxy_a, timeout=10) as proxy,
        httpx.Client(base_url=stack.emulator, timeout=10) as browser,
    ):
        link = proxy.post("/v1/auth/start", json={}).json()
        login_url = link["login_url"]
        assert login_url.startswith(stack.emulator)
        login = demo_logins(emulator_twin())[0]
        callback = approve_at_login_page(browser, login_url, login)
        user_id = login.user_id
        assert callback.startswith(f"{stack.proxy_a}/v1/auth/callback?")
        done = proxy.get(callback)
        assert done.status_code == 200, done.text
    with httpx.Client(base_url=stack.proxy_b, timeout=10) as other:
        claim = {key: link[key] for key in ("sign_in_id", "sign_in_secret")}
        grant = other.post("/v1/auth/session", json=claim)
        assert grant.status_code == 200, grant.text
        session = grant.json()["session_token"]
        me = other.get("/v1/auth/me", headers={"Authorization": f"Bearer {session}"})
        assert me.status_code == 200, me.text
        assert me.json()["user_id"] == user_id
        assert (
            other.post(
                "/v1/auth/sign-out", headers={"Authorization": f"Bearer {session}"}
            ).status_code
            == 204
        )
    with httpx.Client(base_url=stack.proxy_a, timeout=10) as proxy:
        gone = proxy.get("/v1/auth/me", headers={"Authorization": f"Bearer {session}"})
        assert gone.status_code == 401
        assert gone.headers["content-type"].startswith("application/problem+json")


def test_purge_over_tcp_needs_the_admin_token(stack: Stack) -> None:
    with httpx.Client(base_url=stack.proxy_a, timeout=10) as client:
        client.get(JURASSIC_PARK)
        assert client.post("/v1/admin/cache/purge").status_code == 401
        wrong = {"Authorization": "Bearer not-the-admin-token"}
        assert client.post("/v1/admin/cache/purge", headers=wrong).status_code == 403
        purged = client.post(
            "/v1/admin/cache/purge", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}
        )
        assert purged.status_code == 200, purged.text
        assert purged.json()["purged"] >= 1
    with httpx.Client(base_url=stack.proxy_b, timeout=10) as other:
        assert other.get(JURASSIC_PARK).headers["x-cache"] == "MISS"


def test_stale_when_the_emulator_stops(redis_url: str) -> None:
    key = Fernet.generate_key().decode()
    with ExitStack() as processes:
        emulator_stack = processes.enter_context(ExitStack())
        emulator = start_emulator(emulator_stack)
        proxy = _proxy(
            processes,
            emulator,
            redis_url,
            key=key,
            NFX_CACHE_TTL_TITLE_S="0.5",
            NFX_FRONT_CACHE_TTL_S="0",
            NFX_UPSTREAM_TIMEOUT_S="2",
            NFX_UPSTREAM_CONNECT_TIMEOUT_S="0.5",
        )
        with httpx.Client(base_url=proxy, timeout=10) as client:
            fresh = client.get("/v1/titles/movies/60021740")
            assert fresh.headers["x-cache"] == "MISS", fresh.text
            emulator_stack.close()  # the upstream is gone
            time.sleep(1.1)  # past freshness
            stale = client.get("/v1/titles/movies/60021740")
            assert stale.status_code == 200, stale.text
            assert stale.headers["x-cache"] == "STALE"
            assert stale.json() == fresh.json()
            missing = client.get("/v1/titles/movies/60000870")
            assert missing.status_code == 502, missing.text  # refused: unreachable
            assert client.get("/readyz").status_code == 503


def test_bypass_when_redis_is_unreachable(stack: Stack) -> None:
    with ExitStack() as processes:
        dead = f"redis://127.0.0.1:{free_port()}/0"
        proxy = _proxy(
            processes,
            stack.emulator,
            dead,
            key=Fernet.generate_key().decode(),
            NFX_REDIS_TIMEOUT_S="0.2",
        )
        with httpx.Client(base_url=proxy, timeout=10) as client:
            answer = client.get("/v1/titles", params={"term": "Jurassic Park"})
            assert answer.status_code == 200, answer.text
            assert answer.headers["x-cache"] == "BYPASS"
            session = client.post(
                "/v1/auth/import", json={"access_token": "x", "access_token_secret": "y"}
            )
            assert session.status_code in (401, 503)
            ready = client.get("/readyz")
            assert ready.status_code == 503
            assert ready.json()["redis"] is False


def test_an_index_broken_off_upstream_ends_with_an_error_record(redis_url: str) -> None:
    """A client must be able to tell a cut stream from the whole catalog."""
    with ExitStack() as processes:
        emulator = start_emulator(processes, NFX_EMULATOR_FAULT_TRUNCATED_RATE="1.0")
        proxy = _proxy(processes, emulator, redis_url, key=Fernet.generate_key().decode())
        with httpx.stream("GET", proxy + "/v1/catalog/index", timeout=10) as answer:
            assert answer.status_code == 200
            lines = list(answer.iter_lines())
        assert 0 < len(lines) < 300
        last = json.loads(lines[-1])
        assert set(last) == {"error"}
        assert last["error"]["status"] == 502
