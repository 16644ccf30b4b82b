"""Title resources over HTTP: each kind, every sub-resource, expand, 404s and JSON."""

from __future__ import annotations

import httpx
import orjson
import pytest
from lxml import etree
from starlette.applications import Starlette

from emulator.catalog.data import Catalog
from emulator.catalog.model import SERIES
from emulator.catalog.render import catalog_title_children

BASE = "http://api-public.netflix.com"
JAWS = "/catalog/titles/movies/60001220"
SARAH_CONNOR = "/catalog/titles/series/70157234"


def xml(response: httpx.Response, status: int = 200) -> etree._Element:
    assert response.status_code == status, response.text
    return etree.fromstring(response.content)


def catalog_of(app: Starlette) -> Catalog:
    catalog: Catalog = app.state.context.catalog
    return catalog


async def test_movie_in_netflix_order(consumer_client: httpx.AsyncClient) -> None:
    root = xml(await consumer_client.get(JAWS))
    assert root.tag == "catalog_title"
    tags = [c.tag for c in root]
    assert tags[:4] == ["id", "title", "box_art", "link"]
    assert (
        tags.index("release_year")
        < tags.index("category")
        < tags.index("runtime")
        < tags.index("average_rating")
    )
    assert root.findtext("id") == f"{BASE}{JAWS}"
    assert (root.findtext("release_year"), root.findtext("runtime")) == ("1975", "7440")
    rels = [link.get("rel") for link in root.findall("link")]
    assert rels[-1] == "alternate"
    assert root.findall("link")[-1].get("href") == "http://www.netflix.com/Movie/Jaws/60001220"
    schemes = {c.get("scheme") for c in root.findall("category")}
    assert schemes == {f"{BASE}/categories/mpaa_ratings", f"{BASE}/categories/genres"}


async def test_series_season_episode_and_disc(
    consumer_client: httpx.AsyncClient, emulator_app: Starlette
) -> None:
    catalog = catalog_of(emulator_app)
    series = xml(await consumer_client.get(SARAH_CONNOR))
    assert series.find("runtime") is None
    assert series.xpath("string(category/@scheme)") == f"{BASE}/categories/tv_ratings"
    seasons = xml(await consumer_client.get(f"{SARAH_CONNOR}/seasons"))
    season_ref = seasons.findtext("catalog_title/id") or ""
    assert season_ref.startswith(f"{BASE}{SARAH_CONNOR}/seasons/")
    season = xml(
        await consumer_client.get(season_ref.removeprefix(BASE), params={"expand": "episodes"})
    )
    rels = {link.get("rel"): link for link in season.findall("link")}
    assert (
        rels["http://schemas.netflix.com/catalog/titles.series"].get("href")
        == f"{BASE}{SARAH_CONNOR}"
    )
    episodes = rels["http://schemas.netflix.com/catalog/titles.programs"].findall(
        "catalog_titles/catalog_title"
    )
    assert len(episodes) == 9
    episode_ref = episodes[0].findtext("id") or ""
    assert "/catalog/titles/programs/" in episode_ref
    episode = xml(await consumer_client.get(episode_ref.removeprefix(BASE)))
    assert episode.find("title").get("short") == "Episode 1"  # type: ignore[union-attr]
    assert episode.find("runtime") is not None
    assert (episode.findtext("season_number"), episode.findtext("sequence")) == ("1", "1")
    assert season.findtext("season_number") == season.findtext("sequence") == "1"
    assert series.find("season_number") is None
    discs = xml(await consumer_client.get(f"{season_ref.removeprefix(BASE)}/discs"))
    disc_ref = discs.findtext("catalog_title/id") or ""
    disc = xml(await consumer_client.get(disc_ref.removeprefix(BASE)))
    assert disc.findtext("id") == disc_ref
    top = catalog.get(SERIES, 70157234)
    assert top is not None and catalog.get_by_id(int(disc_ref.rsplit("/", 1)[1])) is not None


@pytest.mark.parametrize(
    ("facet", "root_tag", "child"),
    [
        ("synopsis", "synopsis", None),
        ("cast", "people", "person"),
        ("directors", "people", "person"),
        ("format_availability", "delivery_formats", "availability"),
        ("screen_formats", "screen_formats", "screen_format"),
        ("languages_and_audio", "languages_and_audio", "language_audio_format"),
        ("awards", "awards", "award_winner"),
        ("similars", "similars", "similars_item"),
        ("bonus_materials", "catalog_titles", "catalog_title"),
    ],
)
async def test_movie_sub_resources(
    consumer_client: httpx.AsyncClient, facet: str, root_tag: str, child: str | None
) -> None:
    root = xml(await consumer_client.get(f"{JAWS}/{facet}"))
    assert root.tag == root_tag
    if child is None:
        assert "Roy Scheider" in (root.text or "")
        assert b"<![CDATA[" in (await consumer_client.get(f"{JAWS}/{facet}")).content
    else:
        assert root.findall(child), facet


async def test_sub_resource_details(consumer_client: httpx.AsyncClient) -> None:
    cast = xml(await consumer_client.get(f"{JAWS}/cast"))
    assert [p.findtext("name") for p in cast.findall("person")][:2] == [
        "Roy Scheider",
        "Robert Shaw",
    ]
    formats = xml(await consumer_client.get(f"{JAWS}/format_availability"))
    labels = [a.find("category").get("label") for a in formats]  # type: ignore[union-attr]
    assert labels == ["instant", "DVD"]
    assert all(int(a.get("available_from", "0")) > 0 for a in formats)
    similars = xml(
        await consumer_client.get(f"{JAWS}/similars", params={"start_index": 1, "max_results": 2})
    )
    assert (similars.findtext("start_index"), similars.findtext("results_per_page")) == ("1", "2")
    assert len(similars.findall("similars_item")) == 2
    short = xml(await consumer_client.get(f"{JAWS}/synopsis.short"))
    assert short.tag == "short_synopsis" and "great white shark" in (short.text or "")
    bad = xml(await consumer_client.get(f"{JAWS}/similars", params={"max_results": "0"}), 400)
    assert bad.findtext("sub_code") == "120"


async def test_series_sub_resources(consumer_client: httpx.AsyncClient) -> None:
    seasons = xml(await consumer_client.get(f"{SARAH_CONNOR}/seasons"))
    assert seasons.findtext("number_of_results") == "2"
    episodes = xml(
        await consumer_client.get(f"{SARAH_CONNOR}/episodes", params={"max_results": 100})
    )
    assert episodes.findtext("number_of_results") == "31"
    discs = xml(await consumer_client.get(f"{SARAH_CONNOR}/discs"))
    assert discs.findtext("number_of_results") == "9"


@pytest.mark.parametrize(
    "path",
    [
        "/catalog/titles/movies/1",
        "/catalog/titles/series/60001220",
        "/catalog/titles/movies/abc",
        "/catalog/titles/movies/-5",
        "/catalog/titles/films/60001220",
        f"{JAWS}/nothing",
        f"{JAWS}/seasons/1",
        "/catalog/titles/series/60001220/seasons/1",
        f"{SARAH_CONNOR}/seasons/60001220",
        "/catalog/titles/movies/60001220x",
        "/catalog/titles/movies/1/synopsis",
    ],
)
async def test_unknown_or_malformed_titles_are_404(
    consumer_client: httpx.AsyncClient, path: str
) -> None:
    root = xml(await consumer_client.get(path), 404)
    assert (root.findtext("status_code"), root.findtext("message")) == ("404", "Resource not found")


async def test_title_as_json_with_expand(consumer_client: httpx.AsyncClient) -> None:
    response = await consumer_client.get(
        JAWS, params={"output": "json", "expand": "@cast,@formats"}
    )
    assert response.headers["content-type"].startswith("application/json")
    title = orjson.loads(response.content)["catalog_title"]
    assert title["release_year"] == "1975"
    links = {link["title"]: link for link in title["link"]}
    assert links["cast"]["people"]["link"][0]["title"] == "Roy Scheider"
    assert {
        a["category"]["label"] for a in links["formats"]["delivery_formats"]["availability"]
    } == {"instant", "DVD"}
    missing = await consumer_client.get("/catalog/titles/movies/1", params={"output": "json"})
    assert orjson.loads(missing.content) == {
        "status": {"status_code": "404", "message": "Resource not found"}
    }


async def test_catalog_needs_a_signature(emulator_app: Starlette) -> None:
    transport = httpx.ASGITransport(app=emulator_app)
    async with httpx.AsyncClient(transport=transport, base_url="https://netflix.test") as client:
        response = await client.get(JAWS)
    assert response.status_code == 401


def test_catalog_title_children_for_reuse(emulator_app: Starlette) -> None:
    catalog = catalog_of(emulator_app)
    jaws = catalog.resolve_ref(f"{BASE}{JAWS}")
    assert jaws is not None
    children = catalog_title_children(catalog, jaws, expand=frozenset({"synopsis"}))
    assert [c.tag for c in children[:3]] == ["id", "title", "box_art"]
    assert children[3].children[0].tag == "synopsis"
    without_id = catalog_title_children(catalog, jaws, include_id=False)
    assert without_id[0].tag == "title"
