"""NetflixClient catalog and sign-in calls against the in-process emulator, XML and JSON."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from lxml import etree
from starlette.applications import Starlette

from emulator import create_emulator
from service.errors import InvalidInput, InvalidSession, NotFound
from service.netflix.client import NetflixClient
from service.netflix.refs import TitleRef
from service.schemas.titles import TitleKind, TitlePart
from tests.support.emulator_client import REF_BASE, emulator_client, upstream_config


@pytest.fixture
def app() -> Starlette:
    return create_emulator(upstream_config())


@pytest.fixture(params=[False, True], ids=["xml", "json"])
async def client(request: pytest.FixtureRequest, app: Starlette) -> AsyncIterator[NetflixClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as http:
        yield emulator_client(http, prefer_json=request.param)


async def test_search_titles_pages_and_expands(client: NetflixClient) -> None:
    first = await client.search_titles("the", max_results=3, expand=list(TitlePart))
    assert len(first.items) == 3 and first.next == 3 and first.total > 3
    for title in first.items:
        assert title.synopsis_html is not None and title.synopsis_text
        assert title.availability and title.formats
        for part in (
            title.cast_members,
            title.directors,
            title.screen_formats,
            title.languages,
            title.awards,
        ):
            assert part is not None  # asked for: a list, possibly empty
    second = await client.search_titles("the", start_index=3, max_results=3)
    assert {t.id for t in second.items}.isdisjoint({t.id for t in first.items})
    assert second.items[0].synopsis_html is None and second.items[0].cast_members is None


async def test_search_without_results_is_an_empty_page(client: NetflixClient) -> None:
    page = await client.search_titles("zzzzqqqxxyy")
    assert (page.items, page.total, page.next) == ([], 0, None)


async def test_autocomplete(client: NetflixClient) -> None:
    suggestions = await client.autocomplete("th", max_results=4)
    assert 0 < len(suggestions) <= 4
    assert all(s.lower().startswith("th") or " th" in s.lower() for s in suggestions)


async def test_get_title_and_similars(client: NetflixClient) -> None:
    hit = (await client.search_titles("the", max_results=1)).items[0]
    ref = TitleRef.parse(hit.id)
    title = await client.get_title(ref, expand=[TitlePart.SYNOPSIS, TitlePart.CAST])
    assert (title.id, title.title, title.ref) == (hit.id, hit.title, hit.ref)
    assert title.synopsis_text and title.cast_members is not None
    similar = await client.similar_titles(ref, max_results=2)
    assert len(similar.items) <= 2 and hit.id not in {t.id for t in similar.items}


class IgnoresExpand(httpx.AsyncBaseTransport):
    """A host that links a title's parts but never inlines them; slow sub-resources."""

    def __init__(self, app: Starlette) -> None:
        self.inner = httpx.ASGITransport(app=app)
        self.in_flight = self.most_in_flight = 0
        self.paths: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.path)
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await asyncio.sleep(0.01)
            answer = await self.inner.handle_async_request(request)
            body = await answer.aread()
        finally:
            self.in_flight -= 1
        if "expand" in request.url.params:
            root = etree.fromstring(body)
            for link in root.iterchildren("link"):
                for inlined in list(link):
                    link.remove(inlined)
            body = etree.tostring(root)
        return httpx.Response(answer.status_code, headers=answer.headers, content=body)


async def test_parts_a_host_did_not_inline_are_fetched_concurrently(
    app: Starlette, client: NetflixClient
) -> None:
    ref = TitleRef.parse("movies/60020435")
    expected = await client.get_title(ref, expand=list(TitlePart))
    assert expected.awards and expected.cast_members and expected.synopsis_html
    host = IgnoresExpand(app)
    async with httpx.AsyncClient(transport=host) as http:
        lazy = emulator_client(http)
        assert await lazy.get_title(ref, expand=list(TitlePart)) == expected
    # A movie links every part but the lists of a series' seasons, episodes and discs.
    linked = len(TitlePart) - len({TitlePart.SEASONS, TitlePart.EPISODES, TitlePart.DISCS})
    assert len(host.paths) == 1 + linked
    assert host.most_in_flight == linked


async def test_series_season_ref_round_trips(client: NetflixClient) -> None:
    series = None
    start = 0
    while series is None:
        page = await client.search_titles("a", start_index=start, max_results=100)
        series = next((t for t in page.items if t.kind is TitleKind.SERIES), None)
        if page.next is None:
            break
        start = page.next
    if series is None:
        pytest.skip("no series in this small catalog")
    detail = await client.get_title(TitleRef.parse(series.id))
    assert detail.kind is TitleKind.SERIES


async def test_unknown_title_is_not_found(client: NetflixClient) -> None:
    with pytest.raises(NotFound, match="title not found"):
        await client.get_title(TitleRef("movies", 999999999))


async def test_people(client: NetflixClient) -> None:
    page = await client.search_people("a", max_results=2)
    assert len(page.items) == 2 and page.next == 2
    number = int(page.items[0].id.removeprefix("people/"))
    person = await client.get_person(number)
    assert person.name == page.items[0].name and person.filmography is not None
    bare = await client.get_person(number, with_filmography=False)
    assert bare.filmography is None
    with pytest.raises(NotFound):
        await client.get_person(987654321)


async def test_catalog_index_streams_every_title(client: NetflixClient) -> None:
    seen = [item async for item in client.stream_catalog_index()]
    assert len(seen) == 300
    assert len({item.id for item in seen}) == 300
    assert all(item.ref.startswith(REF_BASE) and item.title for item in seen)


async def test_bad_parameters_are_refused_before_any_call(client: NetflixClient) -> None:
    with pytest.raises(InvalidInput):
        await client.search_titles("   ")
    with pytest.raises(InvalidInput):
        await client.search_titles("x", max_results=0)
    with pytest.raises(InvalidInput):
        await client.search_titles("x", start_index=-1)
    with pytest.raises(NotFound):  # a title elsewhere is no title of this upstream
        client.parse_ref("https://evil.example/catalog/titles/movies/1")
    assert client.parse_ref("https://netflix.test/catalog/titles/movies/1").short == "movies/1"


async def test_sign_in_flow(client: NetflixClient, app: Starlette) -> None:
    started = await client.request_token(callback="http://127.0.0.1:8080/v1/auth/callback")
    assert started.token and started.secret and started.application_name
    assert "oauth_token=" + started.token in started.login_url
    with pytest.raises(InvalidSession, match="request token was rejected"):
        await client.access_token(started.token, started.secret, None)  # not yet authorized
    user_id = app.state.context.oauth.demo_tokens()[0][0]
    verifier = app.state.context.oauth.authorize_request_token(started.token, user_id)
    token, signed_in = await client.access_token(started.token, started.secret, verifier)
    assert signed_in == user_id
    assert await client.current_user_id(token) == user_id
    assert "secret" not in repr(token) and token.secret not in repr(token)
