"""Details the recorded responses show: format label casing, the directors link, series
runtimes in subscriber lists, and what `results_per_page` counts in each resource."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx
from lxml import etree
from starlette.applications import Starlette

from emulator.catalog.model import INSTANT, MOVIES, SERIES
from tests.support.oauth import asgi_client, signer

FORMATS = "http://api-public.netflix.com/categories/title_formats"


def _path(ref: str | None) -> str:
    """The path of an id URL, to ask this emulator for it."""
    return urlsplit(ref or "").path


def _xml(response: httpx.Response) -> etree._Element:
    assert response.status_code == 200, response.text
    return etree.fromstring(response.content)


def _title_href(item: etree._Element) -> str:
    link = item.find("link[@rel='http://schemas.netflix.com/catalog/title']")
    assert link is not None
    return str(link.get("href"))


def _format_labels(node: etree._Element) -> list[str]:
    return [str(c.get("label")) for c in node.iter("category") if c.get("scheme") == FORMATS]


async def _add_to_instant_queue(
    client: httpx.AsyncClient, user_id: str, title_ref: str
) -> etree._Element:
    etag = _xml(await client.get(f"/users/{user_id}/queues/instant")).findtext("etag")
    added = await client.post(
        f"/users/{user_id}/queues/instant",
        data={"title_ref": title_ref, "position": "1", "etag": etag or ""},
    )
    assert added.status_code == 201, added.text
    return _xml(await client.get(f"/users/{user_id}/queues/instant/available"))


async def test_instant_is_capitalized_in_queues_and_title_states_only(
    emulator_app: Starlette, user_client: httpx.AsyncClient, demo_user_id: str
) -> None:
    """2010 queue and 2011 title_states recordings write `Instant`; format_availability
    recordings (2009-2012) write `instant`."""
    queue = _xml(await user_client.get(f"/users/{demo_user_id}/queues/instant"))
    items = queue.findall("queue_item")
    assert items and all(_format_labels(i)[0] == "Instant" for i in items)
    disc = _xml(await user_client.get(f"/users/{demo_user_id}/queues/disc"))
    assert {_format_labels(i)[0] for i in disc.findall("queue_item")} <= {"DVD", "Blu-ray"}
    title_ref = _title_href(items[0])
    states = _xml(
        await user_client.get(
            f"/users/{demo_user_id}/title_states", params={"title_refs": title_ref}
        )
    )
    assert "Instant" in _format_labels(states) and "instant" not in _format_labels(states)
    formats = _xml(await user_client.get(f"{_path(title_ref)}/format_availability"))
    assert "instant" in _format_labels(formats) and "Instant" not in _format_labels(formats)


async def test_directors_link_is_there_without_directors(
    emulator_app: Starlette, consumer_client: httpx.AsyncClient
) -> None:
    catalog = emulator_app.state.context.catalog
    title = next(t for t in catalog.titles if t.kind == SERIES and not t.directors)
    rel = "http://schemas.netflix.com/catalog/people.directors"
    page = _xml(await consumer_client.get(_path(title.ref), params={"expand": "directors"}))
    links = page.findall(f"link[@rel='{rel}']")
    assert [link.get("href") for link in links] == [f"{title.ref}/directors"]
    assert len(links[0]) == 0  # expanded, yet empty, as the 2013 recording of a series
    people = _xml(await consumer_client.get(f"{_path(title.ref)}/directors"))
    assert people.tag == "people" and len(people) == 0
    movie = next(t for t in catalog.titles if t.kind == MOVIES and t.directors)
    expanded = _xml(await consumer_client.get(_path(movie.ref), params={"expand": "directors"}))
    assert expanded.find(f"link[@rel='{rel}']/people/link") is not None


async def test_series_carry_a_runtime_in_queues_but_not_in_the_catalog(
    emulator_app: Starlette, consumer_client: httpx.AsyncClient, demo_user_id: str
) -> None:
    catalog = emulator_app.state.context.catalog
    series = next(t for t in catalog.titles if t.kind == SERIES and INSTANT in t.format_labels)
    episodes = catalog.children(series.episodes)
    assert _xml(await consumer_client.get(_path(series.ref))).find("runtime") is None
    _, token, secret = emulator_app.state.context.oauth.demo_tokens()[0]
    async with asgi_client(emulator_app, auth=signer(token, secret)) as user:
        queue = await _add_to_instant_queue(user, demo_user_id, series.ref)
    first = queue.findall("queue_item")[0]
    assert _title_href(first) == series.ref
    assert first.findtext("runtime") == str(sum(e.runtime_s or 0 for e in episodes))


async def test_results_per_page_counts_as_recorded(
    consumer_client: httpx.AsyncClient, user_client: httpx.AsyncClient, demo_user_id: str
) -> None:
    """Searches and recommendations echo the page size asked for (5 with no results
    recorded); queues count the items on the page (3 of 3, 0 when empty, 25 of 86)."""
    search = _xml(
        await consumer_client.get(
            "/catalog/titles", params={"term": "jurassic park", "max_results": "40"}
        )
    )
    assert search.findtext("results_per_page") == "40"
    assert len(search.findall("catalog_title")) < 40
    recommendations = _xml(
        await user_client.get(
            f"/users/{demo_user_id}/recommendations",
            params={"start_index": "100000", "max_results": "5"},
        )
    )
    assert recommendations.findtext("results_per_page") == "5"
    assert recommendations.findall("recommendation") == []
    queue = _xml(
        await user_client.get(f"/users/{demo_user_id}/queues/disc", params={"max_results": "2"})
    )
    assert queue.findtext("results_per_page") == "2"
    whole = _xml(
        await user_client.get(f"/users/{demo_user_id}/queues/disc", params={"max_results": "500"})
    )
    items = whole.findall("queue_item")
    assert whole.findtext("results_per_page") == str(len(items)) != "500"
