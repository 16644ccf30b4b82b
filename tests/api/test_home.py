"""`GET /v1/me/home` against the in-process emulator and a real Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import orjson
import pytest

from emulator import EmulatorConfig
from service.schemas.home import HomeScreen
from tests.support.arrivals import arrivals, most_in_any_window
from tests.support.proxy import CATALOG_SIZE, Proxy, running_proxy

SECTIONS = (
    "profile",
    "disc_queue",
    "instant_queue",
    "at_home",
    "rental_history",
    "recommendations",
)


@pytest.fixture
async def proxy(redis_url: str) -> AsyncIterator[Proxy]:
    async with running_proxy(redis_url, budget_user_per_s=200.0) as running:
        yield running


def _auth(session: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {session}"}


class FailingPaths(httpx.AsyncBaseTransport):
    """The upstream, except that paths ending with one of `suffixes` answer a 500 document."""

    def __init__(self, inner: httpx.AsyncBaseTransport, *suffixes: str) -> None:
        self.inner = inner
        self.suffixes = suffixes

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith(self.suffixes):
            body = b"<status><status_code>500</status_code><message>broken</message></status>"
            return httpx.Response(500, content=body, headers={"content-type": "text/xml"})
        return await self.inner.handle_async_request(request)


def _user_calls(proxy: Proxy, user_id: str) -> list[str]:
    return [r.url.path for r in proxy.upstream.requests if f"/users/{user_id}" in r.url.path]


async def test_home_serves_every_section_as_its_own_endpoint_does(proxy: Proxy) -> None:
    session, user_id = await proxy.sign_in()
    titles = [f"movies/{t.id}" for t in proxy.emulator.state.context.catalog.titles[:3]]
    for title in reversed(titles):
        added = await proxy.client.post(
            "/v1/me/queues/disc/entries",
            json={"title": title, "position": 1},
            headers=_auth(session),
        )
        assert added.status_code == 201, added.text
    before = len(_user_calls(proxy, user_id))
    answer = await proxy.client.get("/v1/me/home", headers=_auth(session))
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "private, no-cache"
    home = answer.json()
    assert home["problems"] == {}
    assert len(_user_calls(proxy, user_id)) - before == len(SECTIONS)  # one call per section
    expected = {
        "profile": "/v1/me",
        "disc_queue": "/v1/me/queues/disc?page_size=10",
        "instant_queue": "/v1/me/queues/instant?page_size=10",
        "at_home": "/v1/me/at-home",
        "rental_history": "/v1/me/rental-history?page_size=10",
        "recommendations": "/v1/me/recommendations?page_size=10",
    }
    for section, path in expected.items():
        alone = await proxy.client.get(path, headers=_auth(session))
        assert alone.status_code == 200, alone.text
        assert home[section] == alone.json(), section
    assert [e["title"]["id"] for e in home["disc_queue"]["items"]][:3] == titles


def _model_writes(body: bytes) -> bytes:
    """The bytes `HomeScreen` writes for the screen in `body` (the contract's serialization)."""
    return orjson.dumps(HomeScreen.model_validate_json(body).model_dump(mode="json", by_alias=True))


async def test_home_writes_its_models_bytes_fetched_or_cached(redis_url: str) -> None:
    async with running_proxy(redis_url, budget_user_per_s=200.0, user_cache_ttl_s=60.0) as proxy:
        session, _ = await proxy.sign_in()
        cold = await proxy.client.get("/v1/me/home", headers=_auth(session))
        warm = await proxy.client.get("/v1/me/home", headers=_auth(session))
    assert (cold.status_code, warm.status_code) == (200, 200), cold.text
    assert (cold.headers["x-cache"], warm.headers["x-cache"]) == ("MISS", "HIT")
    assert cold.headers["content-type"] == "application/json"
    assert cold.content == warm.content == _model_writes(cold.content)
    assert cold.content.count(b'"updated_at":"') and cold.content.count(b'"shipped_at":"')


async def test_a_partial_screen_writes_its_models_bytes(proxy: Proxy) -> None:
    session, _ = await proxy.sign_in()
    proxy.upstream.inner = FailingPaths(proxy.upstream.inner, "/at_home")
    answer = await proxy.client.get(
        "/v1/me/home?sections=at_home,profile,instant_queue", headers=_auth(session)
    )
    assert answer.status_code == 200, answer.text
    assert answer.content == _model_writes(answer.content)
    home = answer.json()
    assert [name for name in SECTIONS if home[name] is not None] == ["profile", "instant_queue"]
    assert list(home["problems"]) == ["at_home"]
    assert home["problems"]["at_home"]["sub_code"] is None  # every field of `Problem`


async def test_sections_picks_what_is_read(proxy: Proxy) -> None:
    session, user_id = await proxy.sign_in()
    before = len(_user_calls(proxy, user_id))
    answer = await proxy.client.get(
        "/v1/me/home",
        params=[("sections", "at_home, profile"), ("sections", "recommendations")],
        headers=_auth(session),
    )
    assert answer.status_code == 200, answer.text
    home = answer.json()
    served = {name for name in SECTIONS if home[name] is not None}
    assert served == {"profile", "at_home", "recommendations"}
    assert len(_user_calls(proxy, user_id)) - before == 3
    assert home["recommendations"]["page_size"] <= 10


async def test_page_size_applies_to_the_paged_sections(proxy: Proxy) -> None:
    session, _ = await proxy.sign_in()
    answer = await proxy.client.get(
        "/v1/me/home?sections=recommendations&page_size=2", headers=_auth(session)
    )
    assert answer.status_code == 200, answer.text
    assert len(answer.json()["recommendations"]["items"]) == 2


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("sections=profile,wishlist", "sections from profile, disc_queue, instant_queue"),
        ("sections=,", "sections.0: must be sections from"),
        ("sections=", "sections.0: must be sections from"),
        ("page_size=0", "page_size"),
    ],
)
async def test_bad_home_parameters_are_422(proxy: Proxy, query: str, named: str) -> None:
    session, _ = await proxy.sign_in()
    answer = await proxy.client.get(f"/v1/me/home?{query}", headers=_auth(session))
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert named in answer.json()["detail"]


async def test_a_failing_section_is_a_problem_and_the_others_are_served(proxy: Proxy) -> None:
    session, _ = await proxy.sign_in()
    proxy.upstream.inner = FailingPaths(proxy.upstream.inner, "/at_home")
    answer = await proxy.client.get("/v1/me/home", headers=_auth(session))
    assert answer.status_code == 200, answer.text
    home = answer.json()
    assert home["at_home"] is None
    assert set(home["problems"]) == {"at_home"}
    problem = home["problems"]["at_home"]
    assert problem["status"] == 502
    assert problem["type"].endswith("/bad-upstream")
    assert problem["status_code"] == 500
    assert all(home[name] is not None for name in SECTIONS if name != "at_home")


async def test_when_every_section_fails_the_answer_is_the_problem(proxy: Proxy) -> None:
    session, _ = await proxy.sign_in()
    proxy.upstream.inner = FailingPaths(proxy.upstream.inner, "/at_home", "/recommendations")
    answer = await proxy.client.get(
        "/v1/me/home?sections=recommendations,at_home", headers=_auth(session)
    )
    assert answer.status_code == 502, answer.text
    assert answer.headers["content-type"] == "application/problem+json"


async def test_home_needs_a_session(proxy: Proxy) -> None:
    answer = await proxy.client.get("/v1/me/home")
    assert answer.status_code == 401
    assert answer.headers["content-type"] == "application/problem+json"


async def test_six_sections_are_paced_by_the_budget_not_refused(
    redis_url: str, tmp_path: Path
) -> None:
    log = tmp_path / "arrivals.log"
    config = EmulatorConfig(catalog_size=CATALOG_SIZE, per_second_limit=4, arrivals_log=str(log))
    async with running_proxy(redis_url, emulator_config=config) as proxy:
        session, _ = await proxy.sign_in()
        answer = await proxy.client.get("/v1/me/home", headers=_auth(session))
    assert answer.status_code == 200, answer.text
    assert answer.json()["problems"] == {}
    by_outcome = [seen for seen in arrivals(log).values() if "ok" in seen]
    user = max(by_outcome, key=lambda seen: len(seen["ok"]))
    assert "qps" not in user  # the upstream refused nothing
    assert len(user["ok"]) == 1 + len(SECTIONS)  # the sign-in check, then the six sections
    assert most_in_any_window(user["ok"], 1.0) <= 4
