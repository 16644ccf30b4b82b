"""The cache purge endpoint: admin token checks, and that purged answers are fetched again."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support.proxy import Proxy, running_proxy

ADMIN_TOKEN = "an-admin-token-for-tests-only"
JURASSIC_PARK = "/v1/titles/movies/60020435"


@pytest.fixture
async def proxy(redis_url: str) -> AsyncIterator[Proxy]:
    async with running_proxy(redis_url, admin_token=ADMIN_TOKEN) as running:
        yield running


def _admin(token: str = ADMIN_TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_purge_all_refetches_everything(proxy: Proxy) -> None:
    await proxy.client.get(JURASSIC_PARK)
    await proxy.client.get("/v1/titles", params={"term": "Jurassic"})
    answer = await proxy.client.post("/v1/admin/cache/purge", headers=_admin())
    assert answer.status_code == 200, answer.text
    assert answer.json()["purged"] >= 2
    assert answer.json()["purged_local"] >= 2
    again = await proxy.client.get(JURASSIC_PARK)
    assert again.headers["x-cache"] == "MISS"
    assert proxy.upstream.calls_to("/catalog/titles/movies/60020435") == 2


async def test_purge_by_prefix_keeps_other_groups(proxy: Proxy) -> None:
    await proxy.client.get(JURASSIC_PARK)
    await proxy.client.get("/v1/people", params={"term": "Spielberg"})
    answer = await proxy.client.post(
        "/v1/admin/cache/purge", headers=_admin(), json={"prefix": "people"}
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["purged"] == 1
    people = await proxy.client.get("/v1/people", params={"term": "Spielberg"})
    title = await proxy.client.get(JURASSIC_PARK)
    assert people.headers["x-cache"] == "MISS"
    assert title.headers["x-cache"] == "HIT"


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Basic x"}])
async def test_purge_without_a_bearer_token_is_401_with_a_challenge(
    proxy: Proxy, headers: dict[str, str]
) -> None:
    answer = await proxy.client.post("/v1/admin/cache/purge", headers=headers)
    assert answer.status_code == 401, answer.text
    assert answer.headers["www-authenticate"] == "Bearer"
    assert answer.headers["content-type"].startswith("application/problem+json")


async def test_purge_with_a_wrong_admin_token_is_403(proxy: Proxy) -> None:
    answer = await proxy.client.post("/v1/admin/cache/purge", headers=_admin("wrong-token"))
    assert answer.status_code == 403, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    "prefix", ["Titles", "titles.", "../x", "a" * 101, "", "titles.nothing", "users"]
)
async def test_purge_refuses_malformed_prefixes(proxy: Proxy, prefix: str) -> None:
    answer = await proxy.client.post(
        "/v1/admin/cache/purge", headers=_admin(), json={"prefix": prefix}
    )
    assert answer.status_code == 422, answer.text


async def test_purge_is_404_when_admin_is_disabled(redis_url: str) -> None:
    async with running_proxy(redis_url) as proxy:
        answer = await proxy.client.post("/v1/admin/cache/purge", headers=_admin())
        assert answer.status_code == 404, answer.text
        assert answer.json()["status"] == 404
