"""Every read-only `/users/...` resource, over signed HTTP to an in-process emulator."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from lxml import etree
from starlette.applications import Starlette

from emulator.accounts.state import Subscriber
from tests.support.oauth import asgi_client, signer

BASE = "http://api-public.netflix.com"
SCHEMAS = "http://schemas.netflix.com"


def _xml(response: httpx.Response) -> etree._Element:
    assert response.status_code == 200, response.text
    assert response.text.startswith('<?xml version="1.0" standalone="yes"?>')
    return etree.fromstring(response.content)


def _subscriber(app: Starlette, user_id: str) -> Subscriber:
    found = app.state.context.accounts.get(user_id)
    assert isinstance(found, Subscriber)
    return found


def _json(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_current_user_links_to_the_token_owner(
    user_client: httpx.AsyncClient, demo_user_id: str
) -> None:
    root = _xml(await user_client.get("/users/current"))
    assert root.tag == "resource"
    (link,) = root.findall("link")
    assert link.get("href") == f"{BASE}/users/{demo_user_id}"
    assert link.get("rel") == f"{SCHEMAS}/user.current"


async def test_user_document(
    user_client: httpx.AsyncClient, demo_user_id: str, emulator_app: Starlette
) -> None:
    subscriber = _subscriber(emulator_app, demo_user_id)
    root = _xml(await user_client.get(f"/users/{demo_user_id}"))
    assert root.findtext("user_id") == demo_user_id
    assert root.findtext("first_name") == subscriber.first_name
    assert root.findtext("nickname") == subscriber.nickname
    assert root.findtext("can_instant_watch") in ("true", "false")
    assert [c.get("term") for c in root.findall("preferred_formats/category")] == list(
        subscriber.preferred_formats
    )
    assert root.find("max_maturity_level/category") is not None
    rels = {link.get("rel") for link in root.findall("link")}
    assert rels == {
        f"{SCHEMAS}/{name}"
        for name in (
            "queues",
            "rental_history",
            "recommendations",
            "title_states",
            "ratings",
            "reviews",
            "at_home",
            "feeds",
        )
    }


async def test_user_document_as_json(user_client: httpx.AsyncClient, demo_user_id: str) -> None:
    body = _json(await user_client.get(f"/users/{demo_user_id}", params={"output": "json"}))
    assert body["user"]["user_id"] == demo_user_id
    assert len(body["user"]["link"]) == 8


async def test_feeds_carry_feed_token_and_consumer_key(
    user_client: httpx.AsyncClient, demo_user_id: str
) -> None:
    root = _xml(await user_client.get(f"/users/{demo_user_id}/feeds"))
    links = root.findall("link")
    assert len(links) >= 5
    for link in links:
        query = parse_qs(urlsplit(link.get("href", "")).query)
        assert query["output"] == ["atom"]
        assert query["oauth_consumer_key"] == ["nfxdemoconsumerkey"]
        assert len(query["feed_token"][0]) >= 20


async def test_queues_root_links_disc_and_instant(
    user_client: httpx.AsyncClient, demo_user_id: str
) -> None:
    root = _xml(await user_client.get(f"/users/{demo_user_id}/queues"))
    hrefs = [link.get("href") for link in root.findall("link")]
    assert hrefs == [
        f"{BASE}/users/{demo_user_id}/queues/disc",
        f"{BASE}/users/{demo_user_id}/queues/instant",
    ]


async def test_title_states_show_queue_and_home_states(
    user_client: httpx.AsyncClient, demo_user_id: str, emulator_app: Starlette
) -> None:
    subscriber = _subscriber(emulator_app, demo_user_id)
    queued = subscriber.queue("disc").available[0].title
    home = subscriber.history.at_home()[0].title
    refs = f"{queued.ref},{home.ref.replace(BASE, '')}"
    root = _xml(
        await user_client.get(f"/users/{demo_user_id}/title_states", params={"title_refs": refs})
    )
    states = root.findall("title_state")
    assert [next(s.iterfind("link")).get("href") for s in states] == [queued.ref, home.ref]

    def disc_labels(state: etree._Element) -> set[str]:
        item = next(
            i
            for i in state.findall("title_state_item")
            if next(i.iterfind("link")).get("rel") == f"{SCHEMAS}/queues.disc"
        )
        return {
            c.get("label", "")
            for c in item.iter("category")
            if c.get("scheme", "").endswith("/title_states")
        }

    assert "In Queue" in disc_labels(states[0])
    assert "At Home" in disc_labels(states[1])


@pytest.mark.parametrize(
    "query", [{}, {"title_refs": ""}, {"title_refs": f"{BASE}/catalog/titles/movies/1"}]
)
async def test_title_states_need_valid_title_refs(
    user_client: httpx.AsyncClient, demo_user_id: str, query: dict[str, str]
) -> None:
    response = await user_client.get(f"/users/{demo_user_id}/title_states", params=query)
    assert response.status_code == 400
    assert etree.fromstring(response.content).findtext("message") == "title_refs is invalid"


@pytest.mark.parametrize("kind", [None, "shipped", "returned", "watched"])
async def test_rental_history_lists_dated_items(
    user_client: httpx.AsyncClient, demo_user_id: str, kind: str | None
) -> None:
    path = f"/users/{demo_user_id}/rental_history" + (f"/{kind}" if kind else "")
    root = _xml(await user_client.get(path))
    items = root.findall("rental_history_item")
    assert items and int(root.findtext("number_of_results") or 0) == len(items)
    date = {"shipped": "shipped_date", "returned": "returned_date", "watched": "watched_date"}
    for item in items:
        assert item.find("link[@rel='http://schemas.netflix.com/catalog/title']") is not None
        if kind:
            assert (item.findtext(date[kind]) or "").isdigit()


async def test_rental_history_paging_and_updated_min(
    user_client: httpx.AsyncClient, demo_user_id: str
) -> None:
    path = f"/users/{demo_user_id}/rental_history"
    everything = _xml(await user_client.get(path)).findall("rental_history_item")
    second = _xml(await user_client.get(path, params={"start_index": 1, "max_results": 2}))
    assert second.findtext("results_per_page") == "2"
    assert [i.findtext("id") for i in second.findall("rental_history_item")] == [
        i.findtext("id") for i in everything[1:3]
    ]
    future = _xml(await user_client.get(path, params={"updated_min": "2100-01-01T00:00:00Z"}))
    assert future.findtext("number_of_results") == "0"
    bad = await user_client.get(path, params={"updated_min": "yesterday"})
    assert bad.status_code == 400


async def test_at_home_items_have_shipping_dates(
    user_client: httpx.AsyncClient, demo_user_id: str
) -> None:
    root = _xml(await user_client.get(f"/users/{demo_user_id}/at_home"))
    items = root.findall("at_home_item")
    assert items
    for item in items:
        shipped = int(item.findtext("shipped_date") or 0)
        assert int(item.findtext("estimated_arrival_date") or 0) > shipped > 0


async def test_recommendations_are_paged_with_predicted_ratings(
    user_client: httpx.AsyncClient, demo_user_id: str
) -> None:
    path = f"/users/{demo_user_id}/recommendations"
    root = _xml(await user_client.get(path, params={"max_results": 5, "start_index": 2}))
    items = root.findall("recommendation")
    assert len(items) == 5 and root.findtext("start_index") == "2"
    assert int(root.findtext("number_of_results") or 0) > 5
    for item in items:
        assert (item.findtext("id") or "").startswith(
            f"{BASE}/users/{demo_user_id}/recommendations/"
        )
        assert 1.0 <= float(item.findtext("predicted_rating") or 0) <= 5.0
    single = _xml(await user_client.get(urlsplit(items[0].findtext("id") or "").path))
    assert single.tag == "recommendation"


@pytest.mark.parametrize("value", ["0", "-3", "many"])
async def test_bad_max_results_is_400_120(
    user_client: httpx.AsyncClient, demo_user_id: str, value: str
) -> None:
    response = await user_client.get(
        f"/users/{demo_user_id}/recommendations", params={"max_results": value}
    )
    assert response.status_code == 400
    root = etree.fromstring(response.content)
    assert root.findtext("sub_code") == "120"


async def test_reviews_is_an_empty_collection(
    user_client: httpx.AsyncClient, demo_user_id: str
) -> None:
    root = _xml(await user_client.get(f"/users/{demo_user_id}/reviews"))
    assert root.tag == "reviews" and root.findtext("number_of_results") == "0"


async def test_another_users_token_cannot_read_this_user(
    emulator_app: Starlette, demo_user_id: str
) -> None:
    _, token, secret = emulator_app.state.context.oauth.demo_tokens()[1]
    async with asgi_client(emulator_app, auth=signer(token, secret)) as other:
        for path in ("", "/queues/disc", "/ratings/title/actual", "/at_home"):
            response = await other.get(f"/users/{demo_user_id}{path}")
            assert response.status_code == 401, path
            assert etree.fromstring(response.content).findtext("message") == (
                "User ID access token mismatch"
            )


async def test_consumer_only_signature_is_refused(
    emulator_app: Starlette, demo_user_id: str
) -> None:
    async with asgi_client(emulator_app, auth=signer()) as consumer:
        response = await consumer.get(f"/users/{demo_user_id}")
    assert response.status_code in (400, 401)


async def test_unknown_sub_resources_are_404(
    user_client: httpx.AsyncClient, demo_user_id: str
) -> None:
    for path in (
        "/queues/dvd",
        "/queues/disc/hidden",
        "/rental_history/lost",
        "/queues/disc/available/x/y",
        "/recommendations/1",
    ):
        response = await user_client.get(f"/users/{demo_user_id}{path}")
        assert response.status_code == 404, path


@pytest.mark.parametrize(
    "path",
    [
        "/queues/disc/available/%C2%B2",
        "/queues/disc/available/1/" + "9" * 5000,
        "/queues/disc/saved/%C2%B2",
        "/recommendations/%C2%B2",
        "/recommendations/" + "9" * 5000,
        "/ratings/title/actual/%C2%B2",
        "/ratings/title/actual/" + "9" * 5000,
    ],
)
async def test_unreadable_ids_in_paths_are_404_not_a_crash(
    user_client: httpx.AsyncClient, demo_user_id: str, path: str
) -> None:
    response = await user_client.get(f"/users/{demo_user_id}{path}")
    assert response.status_code == 404
    assert etree.fromstring(response.content).findtext("message") == "Resource not found"


async def test_expand_nests_inside_item_links(
    user_client: httpx.AsyncClient, demo_user_id: str
) -> None:
    for path in ("/queues/disc", "/rental_history", "/at_home", "/recommendations"):
        root = _xml(
            await user_client.get(
                f"/users/{demo_user_id}{path}", params={"expand": "synopsis", "max_results": 3}
            )
        )
        items = [child for child in root if child.tag.endswith(("_item", "recommendation"))]
        assert items, path
        for item in items:
            synopsis = item.find("link[@rel='http://schemas.netflix.com/catalog/titles/synopsis']")
            assert synopsis is not None and synopsis.find("synopsis") is not None, path
    bad = await user_client.get(f"/users/{demo_user_id}/queues/disc", params={"expand": "x"})
    assert bad.status_code == 400
