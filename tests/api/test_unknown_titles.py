"""Titles Netflix does not know: 404 `unknown-title` for one, marked per title in batch reads."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from service.netflix.subscriber import MAX_SPLIT_CALLS
from tests.support.proxy import Proxy, running_proxy
from tests.support.queue_helpers import auth

UNKNOWN = "movies/99999999"


@pytest.fixture
async def proxy(redis_url: str) -> AsyncIterator[Proxy]:
    async with running_proxy(redis_url, budget_user_per_s=500.0) as running:
        yield running


def _movies(proxy: Proxy, count: int) -> list[str]:
    titles = [
        f"movies/{t.id}" for t in proxy.emulator.state.context.catalog.titles if t.kind == "movies"
    ]
    assert len(titles) >= count
    return titles[:count]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/v1/me/queues/disc/entries", {"title": UNKNOWN}),
        ("POST", "/v1/me/queues/instant/entries", {"title": UNKNOWN, "position": 1}),
        ("PUT", f"/v1/me/ratings/{UNKNOWN}", {"rating": 3}),
        ("PUT", "/v1/me/ratings/series/99999/seasons/88888", {"rating": "not_interested"}),
        ("GET", f"/v1/me/ratings?titles={UNKNOWN}", None),
        ("GET", f"/v1/me/title-states?titles={UNKNOWN}", None),
    ],
)
async def test_one_unknown_title_is_404_unknown_title(
    proxy: Proxy, method: str, path: str, body: object
) -> None:
    session, _ = await proxy.sign_in()
    answer = await proxy.client.request(method, path, headers=auth(session), json=body)
    if method == "GET":
        # A batch read of only unknown titles still answers: one marked entry.
        assert answer.status_code == 200, answer.text
        (entry,) = answer.json()
        assert (entry["id"], entry["status"]) == (UNKNOWN, "unknown_title")
        return
    assert answer.status_code == 404, answer.text
    assert answer.json()["type"].endswith("/unknown-title")


async def test_title_states_mark_unknown_titles_in_their_place(proxy: Proxy) -> None:
    session, _ = await proxy.sign_in()
    known = _movies(proxy, 5)
    asked = [known[0], UNKNOWN, *known[1:4], "movies/99999998", known[4]]
    answer = await proxy.client.get(
        "/v1/me/title-states", headers=auth(session), params={"titles": ",".join(asked)}
    )
    assert answer.status_code == 200, answer.text
    states = answer.json()
    assert [s["id"] for s in states] == asked
    for state in states:
        unknown = state["id"] in (UNKNOWN, "movies/99999998")
        assert state["status"] == ("unknown_title" if unknown else "ok")
        assert (state["items"] == []) is unknown


async def test_ratings_mark_unknown_titles_and_keep_the_others(proxy: Proxy) -> None:
    session, _ = await proxy.sign_in()
    known = _movies(proxy, 3)
    asked = [UNKNOWN, *known]
    answer = await proxy.client.get(
        "/v1/me/ratings",
        headers=auth(session),
        params={"titles": ",".join(asked), "kind": "predicted"},
    )
    assert answer.status_code == 200, answer.text
    ratings = answer.json()
    assert [r["id"] for r in ratings] == asked
    assert ratings[0]["status"] == "unknown_title" and ratings[0]["predicted_rating"] is None
    assert all(r["status"] == "ok" and r["predicted_rating"] is not None for r in ratings[1:])


async def test_unknown_titles_are_found_in_a_long_list(proxy: Proxy) -> None:
    session, _ = await proxy.sign_in()
    known = _movies(proxy, 70)
    asked = [*known[:33], UNKNOWN, *known[33:]]  # in the first upstream chunk of 50
    calls = len(proxy.upstream.requests)
    answer = await proxy.client.get(
        "/v1/me/title-states", headers=auth(session), params={"titles": ",".join(asked)}
    )
    assert answer.status_code == 200, answer.text
    assert [s["id"] for s in answer.json()] == asked
    assert [s["id"] for s in answer.json() if s["status"] == "unknown_title"] == [UNKNOWN]
    spent = len(proxy.upstream.requests) - calls
    assert spent <= 2 + 2 * 6  # two chunks, then halves down to the one title


async def test_too_many_unknown_titles_to_tell_apart_is_404(proxy: Proxy) -> None:
    session, _ = await proxy.sign_in()
    known = _movies(proxy, 40)
    unknown = [f"movies/9999{i:04d}" for i in range(40)]
    asked = [t for pair in zip(known, unknown, strict=True) for t in pair]
    calls = len(proxy.upstream.requests)
    answer = await proxy.client.get(
        "/v1/me/title-states", headers=auth(session), params={"titles": ",".join(asked)}
    )
    assert answer.status_code == 404, answer.text
    assert answer.json()["type"].endswith("/unknown-title")
    assert "ask for fewer" in answer.json()["detail"]
    assert len(proxy.upstream.requests) - calls <= 2 + MAX_SPLIT_CALLS
