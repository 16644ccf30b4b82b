"""The JSON contract holds across endpoints: null versus [], one id form, documented enums."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from service.limits import MAX_INLINED_SIMILARS
from service.schemas.titles import TitleFormat
from service.schemas.users import TitleAction
from tests.support.proxy import Proxy, running_proxy

JURASSIC_PARK = "movies/60020435"
FORMATS = {f.value for f in TitleFormat}


@pytest.fixture
async def proxy(redis_url: str) -> AsyncIterator[Proxy]:
    async with running_proxy(redis_url, budget_user_per_s=200.0) as running:
        yield running


async def test_formats_are_null_unless_asked_for_everywhere(proxy: Proxy) -> None:
    found = (await proxy.client.get("/v1/titles", params={"term": "jurassic park"})).json()
    assert all(item["formats"] is None for item in found["items"])
    asked = await proxy.client.get(
        "/v1/titles", params={"term": "jurassic park", "include": "formats"}
    )
    items = asked.json()["items"]
    assert all(isinstance(i["formats"], list) and set(i["formats"]) <= FORMATS for i in items)
    details = (
        await proxy.client.get(f"/v1/titles/{JURASSIC_PARK}", params={"include": "formats"})
    ).json()
    assert details["formats"] and set(details["formats"]) <= FORMATS
    assert {a["format"] for a in details["availability"]} == set(details["formats"])
    assert (await proxy.client.get(f"/v1/titles/{JURASSIC_PARK}")).json()["formats"] is None


async def test_a_queue_entry_names_its_queued_format_apart_from_the_titles(proxy: Proxy) -> None:
    session, _user_id = await proxy.sign_in()
    auth = {"Authorization": f"Bearer {session}"}
    added = await proxy.client.post(
        "/v1/me/queues/instant/entries", json={"title": JURASSIC_PARK}, headers=auth
    )
    assert added.status_code == 201, added.text
    # The emulator writes `Instant` in queues, as recorded; the proxy names it `instant`.
    assert added.json()["queued_format"] == "instant"
    assert added.json()["title"]["formats"] is None
    listed = (await proxy.client.get("/v1/me/queues/instant", headers=auth)).json()
    assert all(e["queued_format"] == "instant" for e in listed["items"])
    assert all(e["availability"] in ("available now", "saved") for e in listed["items"])
    assert all(e["title"]["formats"] is None for e in listed["items"])


async def test_title_states_and_profile_use_the_documented_enums(proxy: Proxy) -> None:
    session, _user_id = await proxy.sign_in()
    auth = {"Authorization": f"Bearer {session}"}
    states = await proxy.client.get(
        "/v1/me/title-states", params={"titles": JURASSIC_PARK}, headers=auth
    )
    assert states.status_code == 200, states.text
    items = states.json()[0]["items"]
    assert items and {i["format"] for i in items} <= FORMATS
    actions = {a.value for a in TitleAction}
    assert all(set(i["states"]) <= actions and i["states"] for i in items)
    profile = (await proxy.client.get("/v1/me", headers=auth)).json()
    assert set(profile["preferred_formats"]) <= FORMATS


async def test_people_ids_have_the_titles_form_and_open_at_v1_slash_id(proxy: Proxy) -> None:
    title = (
        await proxy.client.get(f"/v1/titles/{JURASSIC_PARK}", params={"include": "cast,directors"})
    ).json()
    people = [*title["cast_members"], *title["directors"]]
    assert people and all(p["id"].startswith("people/") for p in people)
    assert all(p["ref"].endswith(f"/catalog/{p['id']}") for p in people)
    person = await proxy.client.get(f"/v1/{people[0]['id']}")
    assert person.status_code == 200, person.text
    assert person.json()["id"] == people[0]["id"]
    found = (await proxy.client.get("/v1/people", params={"term": people[0]["name"]})).json()
    assert people[0]["id"] in [p["id"] for p in found["items"]]
    # The path takes the number only: the id's own slash is not a path segment of its own.
    refused = await proxy.client.get("/v1/people/people%2F30001")
    assert refused.status_code in (404, 422), refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")


async def test_maturity_ratings_name_their_system(proxy: Proxy) -> None:
    details = (await proxy.client.get(f"/v1/titles/{JURASSIC_PARK}")).json()
    assert details["maturity_rating"] == {"system": "mpaa", "value": "PG-13"}


async def test_similars_are_a_part_like_the_others(proxy: Proxy) -> None:
    plain = (await proxy.client.get(f"/v1/titles/{JURASSIC_PARK}")).json()
    assert plain["similars"] is None
    asked = await proxy.client.get(f"/v1/titles/{JURASSIC_PARK}", params={"include": "similars"})
    similars = asked.json()["similars"]
    # The first page, as the upstream inlines it (the same from its sub-resource).
    page = await proxy.client.get(
        f"/v1/titles/{JURASSIC_PARK}/similar", params={"page_size": MAX_INLINED_SIMILARS}
    )
    assert similars and [s["id"] for s in similars] == [t["id"] for t in page.json()["items"]]
    assert all(set(s) == {"id", "ref", "title"} for s in similars)
