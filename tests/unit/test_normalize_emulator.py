"""Normalizers over the emulator's documents: XML and Netflix JSON give identical models."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from emulator import EmulatorConfig, create_emulator
from service.netflix.document import Doc
from service.netflix.normalize import people, queues, ratings, rentals, titles, users
from tests.support.oauth import asgi_client, signer
from tests.support.samples import parsed_both

BASE = "http://api-public.netflix.com"
LIMIT = 20_000_000


@pytest.fixture
def app() -> Starlette:
    return create_emulator(EmulatorConfig(catalog_size=300, rate_limits=False))


@pytest.fixture
async def user(app: Starlette) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    user_id, token, secret = app.state.context.oauth.demo_tokens()[0]
    async with asgi_client(app, auth=signer(token, secret)) as client:
        yield client, user_id


async def _both(client: httpx.AsyncClient, path: str, **params: str) -> tuple[Doc, Doc]:
    xml = await client.get(path, params=params)
    json = await client.get(path, params={**params, "output": "json"})
    assert xml.status_code == json.status_code == 200, (xml.text[:300], json.text[:300])
    assert "xml" in xml.headers["content-type"] and "json" in json.headers["content-type"]
    return parsed_both(xml.content, json.content, max_bytes=LIMIT)


def _same(docs: tuple[Doc, Doc], read: Callable[[Doc], Any]) -> Any:
    from_xml, from_json = read(docs[0]), read(docs[1])
    assert from_xml == from_json
    return from_xml


async def test_catalog_documents(user: tuple[httpx.AsyncClient, str]) -> None:
    client, _ = user
    expand = "synopsis,cast,directors,format_availability,screen_formats,languages_and_audio,awards"
    page = _same(
        await _both(client, "/catalog/titles", term="the", max_results="10", expand=expand),
        lambda d: titles.title_page(d, ref_base=BASE, page_size=25),
    )
    assert page.items and page.total >= len(page.items)
    assert all(t.synopsis_text and t.availability for t in page.items)
    assert all(t.ref.startswith(BASE + "/catalog/titles/") for t in page.items)
    series = (
        next(t for t in page.items if t.kind == "series")
        if any(t.kind == "series" for t in page.items)
        else None
    )
    if series is not None:
        detail = _same(
            await _both(client, f"/catalog/titles/{series.id}", expand="seasons,similars"),
            lambda d: titles.title_document(d, ref_base=BASE),
        )
        assert detail.seasons
    first = page.items[0]
    similar = _same(
        await _both(client, f"/catalog/titles/{first.id}/similars"),
        lambda d: titles.similars_page(d, ref_base=BASE, page_size=25),
    )
    assert all(t.id != first.id for t in similar.items)
    suggestions = _same(
        await _both(client, "/catalog/titles/autocomplete", term="th"), titles.autocomplete
    )
    assert suggestions.items
    found = _same(
        await _both(client, "/catalog/people", term="a", max_results="3"),
        lambda d: people.people_page(d, ref_base=BASE, page_size=25),
    )
    person = _same(
        await _both(client, found.items[0].ref.removeprefix(BASE), expand="filmography"),
        lambda d: people.person_document(d, ref_base=BASE),
    )
    assert person.filmography


async def test_subscriber_documents(user: tuple[httpx.AsyncClient, str]) -> None:
    client, user_id = user
    home = f"/users/{user_id}"
    profile = _same(await _both(client, home), users.user)
    assert profile.user_id == user_id
    assert _same(await _both(client, "/users/current"), users.current_user_id) == user_id
    assert _same(await _both(client, f"{home}/feeds"), users.feeds)
    page, etag = _same(
        await _both(client, f"{home}/queues/disc", max_results="50"),
        lambda d: queues.queue_page(d, ref_base=BASE, page_size=25),
    )
    available = [e.position for e in page.items if e.state == "available"]
    assert etag and available == list(range(1, len(available) + 1))
    assert all(e.position is None for e in page.items if e.state == "saved")
    refs = ",".join(e.title.ref for e in page.items[:3])
    states = _same(
        await _both(client, f"{home}/title_states", title_refs=refs),
        lambda d: users.title_states(d, ref_base=BASE),
    )
    assert [s.id for s in states] == [e.title.id for e in page.items[:3]]
    rated = _same(
        await _both(client, f"{home}/ratings/title", title_refs=refs),
        lambda d: ratings.ratings(d, ref_base=BASE),
    )
    assert len(rated) == len(states)
    history = _same(
        await _both(client, f"{home}/rental_history"),
        lambda d: rentals.rental_page(d, ref_base=BASE, page_size=25),
    )
    assert history.total >= len(history.items)
    _same(await _both(client, f"{home}/at_home"), lambda d: rentals.at_home(d, ref_base=BASE))
    recommended = _same(
        await _both(client, f"{home}/recommendations", max_results="5"),
        lambda d: titles.recommendations_page(d, ref_base=BASE, page_size=25),
    )
    assert all(t.predicted_rating is not None for t in recommended.items)
