"""Every paged endpoint answers `page_size` as asked (or its default), never the item count."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support.proxy import Proxy, running_proxy

JAWS = "movies/60001220"
SARAH_CONNOR = "series/70157234"
# Each paged endpoint, with the parameters it needs; whether it needs a session.
PAGED: list[tuple[str, dict[str, str], bool]] = [
    ("/v1/titles", {"term": "jurassic park"}, False),
    (f"/v1/titles/{JAWS}/similar", {}, False),
    (f"/v1/titles/{SARAH_CONNOR}/seasons", {}, False),
    ("/v1/people", {"term": "scheider"}, False),
    ("/v1/me/queues/disc", {}, True),
    ("/v1/me/queues/instant", {"state": "available"}, True),
    ("/v1/me/rental-history", {}, True),
    ("/v1/me/rental-history", {"kind": "watched"}, True),
    ("/v1/me/recommendations", {}, True),
]


@pytest.fixture
async def proxy(redis_url: str) -> AsyncIterator[Proxy]:
    async with running_proxy(redis_url, budget_user_per_s=200.0) as running:
        yield running


@pytest.mark.parametrize(("path", "params", "signed_in"), PAGED)
async def test_page_size_is_what_was_asked_or_the_default(
    proxy: Proxy, path: str, params: dict[str, str], signed_in: bool
) -> None:
    headers = {}
    if signed_in:
        session, _user_id = await proxy.sign_in()
        headers = {"Authorization": f"Bearer {session}"}
    default = await proxy.client.get(path, params=params, headers=headers)
    assert default.status_code == 200, default.text
    assert default.json()["page_size"] == 25
    for asked in (1, 3, 97):
        page = await proxy.client.get(
            path, params={**params, "page_size": str(asked)}, headers=headers
        )
        assert page.status_code == 200, page.text
        body = page.json()
        assert body["page_size"] == asked, (path, asked, len(body["items"]))
        assert len(body["items"]) <= asked
        following = body["start_index"] + len(body["items"])
        assert body["next"] == (following if following < body["total"] else None)


async def test_a_short_last_page_still_says_the_size_asked(proxy: Proxy) -> None:
    page = await proxy.client.get(
        f"/v1/titles/{SARAH_CONNOR}/seasons", params={"start_index": "1", "page_size": "10"}
    )
    assert page.status_code == 200, page.text
    assert (len(page.json()["items"]), page.json()["page_size"]) == (1, 10)
