"""Queue resources over signed HTTP: listing, etags, add/move/delete and concurrent writers."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from lxml import etree
from starlette.applications import Starlette

from emulator import EmulatorConfig, create_emulator
from emulator.accounts.state import Subscriber
from emulator.catalog.data import Title
from emulator.catalog.model import INSTANT
from tests.support.oauth import asgi_client, signer

BASE = "http://api-public.netflix.com"


def _subscriber(app: Starlette, user_id: str) -> Subscriber:
    found = app.state.context.accounts.get(user_id)
    assert isinstance(found, Subscriber)
    return found


def _fresh_titles(app: Starlette, subscriber: Subscriber, *, instant: bool = False) -> list[Title]:
    """Titles that are in no queue of the subscriber and not at home."""
    busy = {e.title.id for q in subscriber.queues.values() for e in (*q.available, *q.saved)}
    busy |= subscriber.history.at_home_ids()
    return [
        t
        for t in app.state.context.catalog.titles
        if t.id not in busy
        and (INSTANT in t.format_labels if instant else {"DVD", "Blu-ray"} & set(t.format_labels))
    ]


def _status(response: httpx.Response) -> etree._Element:
    root = etree.fromstring(response.content)
    assert root.tag == "status"
    assert root.findtext("status_code") == str(response.status_code)
    return root


async def _etag(client: httpx.AsyncClient, user_id: str, kind: str = "disc") -> str:
    response = await client.get(f"/users/{user_id}/queues/{kind}")
    assert response.status_code == 200
    etag = etree.fromstring(response.content).findtext("etag") or ""
    assert response.headers["etag"] == f'"{etag}"'
    return etag


async def _positions(client: httpx.AsyncClient, user_id: str) -> list[str]:
    response = await client.get(
        f"/users/{user_id}/queues/disc/available", params={"max_results": 500}
    )
    root = etree.fromstring(response.content)
    return [(i.findtext("id") or "").rsplit("/", 1)[1] for i in root.findall("queue_item")]


async def test_queue_listing_shape_and_paging(
    user_client: httpx.AsyncClient, demo_user_id: str
) -> None:
    response = await user_client.get(
        f"/users/{demo_user_id}/queues/disc", params={"max_results": 2, "start_index": 1}
    )
    root = etree.fromstring(response.content)
    assert [c.tag for c in root][:7] == [
        "link",
        "link",
        "url_template",
        "number_of_results",
        "start_index",
        "results_per_page",
        "etag",
    ]
    items = root.findall("queue_item")
    assert len(items) == 2 and root.findtext("start_index") == "1"
    assert items[0].findtext("position") == "2"
    assert (
        items[0]
        .findtext("id", "")
        .startswith(f"{BASE}/users/{demo_user_id}/queues/disc/available/2/")
    )
    schemes = {c.get("scheme") for c in items[0].findall("category")}
    assert {f"{BASE}/categories/queue_availability", f"{BASE}/categories/title_formats"} <= schemes


async def test_saved_part_and_single_entries(
    user_client: httpx.AsyncClient, demo_user_id: str
) -> None:
    saved = etree.fromstring(
        (await user_client.get(f"/users/{demo_user_id}/queues/disc/saved")).content
    )
    item = saved.find("queue_item")
    assert item is not None and item.find("position") is None
    entry_id = item.findtext("id", "")
    assert "/queues/disc/saved/" in entry_id
    single = await user_client.get(entry_id.replace(BASE, ""))
    assert single.status_code == 200 and etree.fromstring(single.content).tag == "queue_item"
    available = await user_client.get(f"/users/{demo_user_id}/queues/instant/available")
    first = etree.fromstring(available.content).find("queue_item")
    assert first is not None
    title_id = first.findtext("id", "").rsplit("/", 1)[1]
    by_title = await user_client.get(f"/users/{demo_user_id}/queues/instant/available/{title_id}")
    assert etree.fromstring(by_title.content).findtext("position") == "1"


@pytest.mark.parametrize("sort", ["alphabetical", "date_added", "queue_sequence"])
async def test_sorts(user_client: httpx.AsyncClient, demo_user_id: str, sort: str) -> None:
    response = await user_client.get(
        f"/users/{demo_user_id}/queues/disc/available", params={"sort": sort}
    )
    items = etree.fromstring(response.content).findall("queue_item")
    if sort == "alphabetical":
        names = [(next(i.iterfind("title")).get("regular") or "").lower() for i in items]
        assert names == sorted(names)
    else:
        key = "updated" if sort == "date_added" else "position"
        values = [int(i.findtext(key) or 0) for i in items]
        assert values == sorted(values, reverse=sort == "date_added")
    bad = await user_client.get(f"/users/{demo_user_id}/queues/disc", params={"sort": "random"})
    assert bad.status_code == 400


async def test_if_none_match_gives_304(user_client: httpx.AsyncClient, demo_user_id: str) -> None:
    etag = await _etag(user_client, demo_user_id)
    response = await user_client.get(
        f"/users/{demo_user_id}/queues/disc", headers={"If-None-Match": f'"{etag}"'}
    )
    assert response.status_code == 304 and response.content == b""
    changed = await user_client.get(
        f"/users/{demo_user_id}/queues/disc", headers={"If-None-Match": '"1"'}
    )
    assert changed.status_code == 200


async def test_add_with_position_shifts_others_and_returns_etag(
    user_client: httpx.AsyncClient, demo_user_id: str, emulator_app: Starlette
) -> None:
    subscriber = _subscriber(emulator_app, demo_user_id)
    title = _fresh_titles(emulator_app, subscriber)[0]
    before = await _positions(user_client, demo_user_id)
    etag = await _etag(user_client, demo_user_id)
    response = await user_client.post(
        f"/users/{demo_user_id}/queues/disc",
        data={"title_ref": title.ref, "position": "2", "etag": etag},
    )
    assert response.status_code == 201, response.text
    root = _status(response)
    assert root.findtext("message") == "Title added to queue"
    new_etag = root.findtext("etag")
    assert new_etag and new_etag != etag and response.headers["etag"] == f'"{new_etag}"'
    item = root.find("resources_created/queue_item")
    assert item is not None and item.findtext("position") == "2"
    assert item.findtext("id") == (
        f"{BASE}/users/{demo_user_id}/queues/disc/available/2/{title.id}"
    )
    after = await _positions(user_client, demo_user_id)
    assert after == [before[0], str(title.id), *before[1:]]
    assert await _etag(user_client, demo_user_id) == new_etag


async def test_add_without_position_appends(
    user_client: httpx.AsyncClient, demo_user_id: str, emulator_app: Starlette
) -> None:
    subscriber = _subscriber(emulator_app, demo_user_id)
    title = _fresh_titles(emulator_app, subscriber, instant=True)[0]
    etag = await _etag(user_client, demo_user_id, "instant")
    response = await user_client.post(
        f"/users/{demo_user_id}/queues/instant",
        data={"title_ref": title.ref.replace(BASE, ""), "etag": etag},
    )
    assert response.status_code == 201, response.text
    count = len(subscriber.queue("instant").available)
    assert _status(response).findtext("resources_created/queue_item/position") == str(count)


async def test_move_existing_title(
    user_client: httpx.AsyncClient, demo_user_id: str, emulator_app: Starlette
) -> None:
    before = await _positions(user_client, demo_user_id)
    ref = f"{BASE}/catalog/titles/movies/{before[-1]}"
    title = emulator_app.state.context.catalog.resolve_ref(ref)
    ref = title.ref  # the last title may be a series
    response = await user_client.post(
        f"/users/{demo_user_id}/queues/disc",
        data={"title_ref": ref, "position": "1", "etag": await _etag(user_client, demo_user_id)},
    )
    assert response.status_code == 201, response.text
    assert _status(response).findtext("message") == "Move successful"
    assert await _positions(user_client, demo_user_id) == [before[-1], *before[:-1]]


async def test_etag_in_if_match_header_and_multipart_body(
    user_client: httpx.AsyncClient, demo_user_id: str, emulator_app: Starlette
) -> None:
    title = _fresh_titles(emulator_app, _subscriber(emulator_app, demo_user_id))[0]
    etag = await _etag(user_client, demo_user_id)
    response = await user_client.post(
        f"/users/{demo_user_id}/queues/disc",
        files={"title_ref": (None, title.ref), "position": (None, "1")},
        headers={"If-Match": f'"{etag}"'},
    )
    assert response.status_code == 201, response.text
    assert (await _positions(user_client, demo_user_id))[0] == str(title.id)


async def test_write_errors(
    user_client: httpx.AsyncClient, demo_user_id: str, emulator_app: Starlette
) -> None:
    subscriber = _subscriber(emulator_app, demo_user_id)
    path = f"/users/{demo_user_id}/queues/disc"
    etag = await _etag(user_client, demo_user_id)
    fresh = _fresh_titles(emulator_app, subscriber)[0].ref
    queued = subscriber.queue("disc").available[1].title.ref
    saved = subscriber.queue("disc").saved[0].title.ref
    home = subscriber.history.at_home()[0].title.ref
    cases: list[tuple[dict[str, str], int, int | None, str]] = [
        (
            {"title_ref": fresh, "etag": "1"},
            412,
            None,
            "Precondition failed. Resource has been modified",
        ),
        ({"title_ref": fresh}, 400, None, "etag is invalid"),
        ({"title_ref": queued, "etag": etag}, 412, 710, "Title is already in queue"),
        (
            {"title_ref": queued, "position": "2", "etag": etag},
            412,
            710,
            "Title is already in queue",
        ),
        (
            {"title_ref": f"{BASE}/catalog/titles/movies/1", "etag": etag},
            400,
            130,
            "Title not found or not available",
        ),
        (
            {"title_ref": saved, "position": "1", "etag": etag},
            400,
            620,
            "Title is saved; cannot move it",
        ),
        ({"title_ref": home, "etag": etag}, 400, 690, "Title currently at home"),
        ({"title_ref": fresh, "position": "0", "etag": etag}, 400, None, "position is invalid"),
        ({"etag": etag}, 400, None, "title_ref is invalid"),
    ]
    for data, status, sub_code, message in cases:
        response = await user_client.post(path, data=data)
        root = _status(response)
        assert (response.status_code, root.findtext("message")) == (status, message), data
        assert root.findtext("sub_code") == (None if sub_code is None else str(sub_code))
    bad_expand = await user_client.post(
        path, params={"expand": "nonsense"}, data={"title_ref": fresh, "etag": etag}
    )
    assert bad_expand.status_code == 400
    assert await _etag(user_client, demo_user_id) == etag  # failures change nothing


async def test_queue_too_large_is_400_650() -> None:
    app = create_emulator(EmulatorConfig(catalog_size=300, rate_limits=False, queue_max_size=12))
    user_id, token, secret = app.state.context.oauth.demo_tokens()[0]
    subscriber = _subscriber(app, user_id)
    fresh = _fresh_titles(app, subscriber)
    path = f"/users/{user_id}/queues/disc"
    async with asgi_client(app, auth=signer(token, secret)) as client:
        for title in fresh[: 12 - subscriber.queue("disc").size]:
            etag = await _etag(client, user_id)
            response = await client.post(path, data={"title_ref": title.ref, "etag": etag})
            assert response.status_code == 201, response.text
        assert subscriber.queue("disc").size == 12
        response = await client.post(
            path, data={"title_ref": fresh[-1].ref, "etag": await _etag(client, user_id)}
        )
    assert (response.status_code, _status(response).findtext("sub_code")) == (400, "650")


async def test_delete_by_entry_id_and_by_title_id(
    user_client: httpx.AsyncClient, demo_user_id: str
) -> None:
    before = await _positions(user_client, demo_user_id)
    etag = await _etag(user_client, demo_user_id)
    path = f"/users/{demo_user_id}/queues/disc/available"
    response = await user_client.delete(f"{path}/2/{before[1]}")
    assert response.status_code == 200
    root = _status(response)
    assert root.findtext("message") == "Title deleted from queue"
    assert root.findtext("etag") not in (None, etag)
    assert await _positions(user_client, demo_user_id) == [before[0], *before[2:]]
    assert (await user_client.delete(f"{path}/{before[0]}")).status_code == 200
    missing = await user_client.delete(f"{path}/{before[0]}")
    assert missing.status_code == 404
    assert _status(missing).findtext("sub_code") == "610"
    assert _status(missing).findtext("message") == "Title is not in Queue"


async def test_delete_saved_entry(
    user_client: httpx.AsyncClient, demo_user_id: str, emulator_app: Starlette
) -> None:
    saved = _subscriber(emulator_app, demo_user_id).queue("instant").saved[0].title.id
    path = f"/users/{demo_user_id}/queues/instant/saved/{saved}"
    assert (await user_client.delete(path)).status_code == 200
    assert (await user_client.get(path)).status_code == 404


async def test_concurrent_writers_with_one_etag_exactly_one_wins(
    user_client: httpx.AsyncClient, demo_user_id: str, emulator_app: Starlette
) -> None:
    subscriber = _subscriber(emulator_app, demo_user_id)
    titles = _fresh_titles(emulator_app, subscriber)[:20]
    before = await _positions(user_client, demo_user_id)
    etag = await _etag(user_client, demo_user_id)
    path = f"/users/{demo_user_id}/queues/disc"
    responses = await asyncio.gather(
        *(
            user_client.post(path, data={"title_ref": t.ref, "position": "1", "etag": etag})
            for t in titles
        )
    )
    codes = sorted(r.status_code for r in responses)
    assert codes == [201] + [412] * (len(titles) - 1)
    winner = next(r for r in responses if r.status_code == 201)
    won_id = _status(winner).findtext("resources_created/queue_item/id", "").rsplit("/", 1)[1]
    after = await _positions(user_client, demo_user_id)
    assert after == [won_id, *before]
    assert len(set(after)) == len(after)


async def test_concurrent_writers_following_etags_lose_nothing(
    user_client: httpx.AsyncClient, demo_user_id: str, emulator_app: Starlette
) -> None:
    subscriber = _subscriber(emulator_app, demo_user_id)
    titles = _fresh_titles(emulator_app, subscriber)[:8]
    path = f"/users/{demo_user_id}/queues/disc"

    async def add_with_retries(title: Title) -> None:
        for _ in range(50):
            etag = await _etag(user_client, demo_user_id)
            response = await user_client.post(path, data={"title_ref": title.ref, "etag": etag})
            if response.status_code == 201:
                return
            assert response.status_code == 412
        raise AssertionError("never won")

    before = await _positions(user_client, demo_user_id)
    await asyncio.gather(*(add_with_retries(t) for t in titles))
    after = await _positions(user_client, demo_user_id)
    assert after[: len(before)] == before
    assert sorted(after[len(before) :]) == sorted(str(t.id) for t in titles)
