"""Catalog search over HTTP: paging, 400s, expand nesting, JSON, autocomplete and people."""

from __future__ import annotations

import httpx
import orjson
import pytest
from lxml import etree

from tests.support.oauth import asgi_client

BASE = "http://api-public.netflix.com"


def xml(response: httpx.Response, status: int = 200) -> etree._Element:
    assert response.status_code == status, response.text
    assert response.text.startswith('<?xml version="1.0" standalone="yes"?>')
    return etree.fromstring(response.content)


async def test_search_has_netflix_header_and_results(consumer_client: httpx.AsyncClient) -> None:
    root = xml(await consumer_client.get("/catalog/titles", params={"term": "terminator"}))
    assert root.tag == "catalog_titles"
    tags = [child.tag for child in root]
    assert tags[:6] == [
        "link",
        "link",
        "url_template",
        "number_of_results",
        "start_index",
        "results_per_page",
    ]
    assert [link.get("title") for link in root.findall("link")] == ["index", "autocomplete"]
    assert (
        root.findtext("url_template")
        == f"{BASE}/catalog/titles?{{-join|&|term|start_index|max_results}}"
    )
    assert (root.findtext("start_index"), root.findtext("results_per_page")) == ("0", "25")
    titles = root.findall("catalog_title")
    assert int(root.findtext("number_of_results") or 0) == len(titles) >= 5
    assert titles[0].find("title").get("regular") == "Terminator Salvation"  # type: ignore[union-attr]
    assert (
        b"&amp;|term"
        in (await consumer_client.get("/catalog/titles", params={"term": "jaws"})).content
    )


async def test_search_pages_with_start_index_and_max_results(
    consumer_client: httpx.AsyncClient,
) -> None:
    full = xml(
        await consumer_client.get("/catalog/titles", params={"term": "s", "max_results": 100})
    )
    ids = [t.findtext("id") for t in full.findall("catalog_title")]
    assert len(ids) == 100 and int(full.findtext("number_of_results") or 0) > 100
    page = xml(
        await consumer_client.get(
            "/catalog/titles", params={"term": "s", "start_index": 10, "max_results": 5}
        )
    )
    assert [t.findtext("id") for t in page.findall("catalog_title")] == ids[10:15]
    assert (page.findtext("start_index"), page.findtext("results_per_page")) == ("10", "5")
    capped = xml(
        await consumer_client.get("/catalog/titles", params={"term": "s", "max_results": 500})
    )
    assert len(capped.findall("catalog_title")) == 100
    beyond = xml(
        await consumer_client.get("/catalog/titles", params={"term": "jaws", "start_index": 900})
    )
    assert beyond.findall("catalog_title") == []


@pytest.mark.parametrize("value", ["0", "-3", "abc", "2.5", ""])
async def test_bad_max_results_is_400_sub_code_120(
    consumer_client: httpx.AsyncClient, value: str
) -> None:
    root = xml(
        await consumer_client.get("/catalog/titles", params={"term": "jaws", "max_results": value}),
        400,
    )
    assert (root.findtext("status_code"), root.findtext("sub_code")) == ("400", "120")
    assert root.findtext("message") == "Query parameter max_results must be a positive integer."


@pytest.mark.parametrize(
    "query",
    [
        {"term": "jaws", "start_index": "-1"},
        {"term": "jaws", "start_index": "x"},
        {"term": "  "},
        {},
        {"term": "jaws", "expand": "nonsense"},
    ],
)
async def test_other_bad_parameters_are_400(
    consumer_client: httpx.AsyncClient, query: dict[str, str]
) -> None:
    root = xml(await consumer_client.get("/catalog/titles", params=query), 400)
    assert root.findtext("status_code") == "400"
    assert root.findtext("message", "").split()[0] in {"start_index", "term", "expand"}


@pytest.mark.parametrize(
    "expand", ["synopsis,cast,directors", "@synopsis @cast @directors", "synopsis, cast ,directors"]
)
async def test_expand_nests_content_inside_links(
    consumer_client: httpx.AsyncClient, expand: str
) -> None:
    root = xml(
        await consumer_client.get(
            "/catalog/titles", params={"term": "jaws", "max_results": 1, "expand": expand}
        )
    )
    title = root.find("catalog_title")
    assert title is not None
    links = {link.get("title"): link for link in title.findall("link")}
    synopsis = links["synopsis"].find("synopsis")
    assert synopsis is not None and "Roy Scheider" in (synopsis.text or "")
    assert (
        b"<synopsis><![CDATA["
        in (
            await consumer_client.get(
                "/catalog/titles", params={"term": "jaws", "max_results": 1, "expand": expand}
            )
        ).content
    )
    cast = [p.get("title") for p in links["cast"].findall("people/link")]
    assert cast[:2] == ["Roy Scheider", "Robert Shaw"]
    assert (
        links["cast"].xpath("string(people/link/@rel)")
        == "http://schemas.netflix.com/catalog/person"
    )
    assert [p.get("title") for p in links["directors"].findall("people/link")] == [
        "Steven Spielberg"
    ]
    assert len(links["formats"]) == 0 and len(links["similars"]) == 0


async def test_every_expansion_fills_its_link(consumer_client: httpx.AsyncClient) -> None:
    expand = (
        "synopsis,cast,directors,formats,screen_formats,languages_and_audio,awards,"
        "similars,bonus_materials"
    )
    root = xml(
        await consumer_client.get(
            "/catalog/titles", params={"term": "jurassic park", "max_results": 1, "expand": expand}
        )
    )
    links = {link.get("title"): link for link in root.findall("catalog_title/link")}
    expected = {
        "formats": "delivery_formats",
        "screen formats": "screen_formats",
        "languages and audio": "languages_and_audio",
        "awards": "awards",
        "similars": "similars",
        "bonus materials": "catalog_titles",
    }
    for label, tag in expected.items():
        assert [child.tag for child in links[label]] == [tag], label
    assert links["awards"].findall("awards/award_winner")
    assert links["similars"].findall("similars/similars_item/title")
    assert (
        links["formats"].xpath("string(delivery_formats/availability/category/@scheme)")
        == f"{BASE}/categories/title_formats"
    )


async def test_series_expansions(consumer_client: httpx.AsyncClient) -> None:
    root = xml(
        await consumer_client.get(
            "/catalog/titles", params={"term": "sarah connor", "expand": "seasons,discs"}
        )
    )
    links = {link.get("title"): link for link in root.findall("catalog_title/link")}
    seasons = links["seasons"].findall("catalog_titles/catalog_title")
    assert [s.find("title").get("regular") for s in seasons] == [  # type: ignore[union-attr]
        "Terminator: The Sarah Connor Chronicles: Season 1",
        "Terminator: The Sarah Connor Chronicles: Season 2",
    ]
    assert len(links["discs"].findall("catalog_titles/catalog_title")) == 3 + 6


async def test_search_as_netflix_json(consumer_client: httpx.AsyncClient) -> None:
    response = await consumer_client.get(
        "/catalog/titles",
        params={"term": "jaws", "max_results": 1, "expand": "synopsis", "output": "json"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    body = orjson.loads(response.content)["catalog_titles"]
    assert body["number_of_results"] == "1"
    title = body["catalog_title"]  # one item: an object, not a list
    assert title["title"] == {"short": "Jaws", "regular": "Jaws"}
    synopsis_link = next(link for link in title["link"] if link["title"] == "synopsis")
    assert "Roy Scheider" in synopsis_link["synopsis"]


async def test_autocomplete(consumer_client: httpx.AsyncClient) -> None:
    root = xml(
        await consumer_client.get("/catalog/titles/autocomplete", params={"term": "terminator"})
    )
    assert root.tag == "autocomplete" and root[0].tag == "url_template"
    shorts = [t.get("short") for t in root.findall("autocomplete_item/title")]
    assert shorts[:4] == [
        "Terminator 2: Judgment Day",
        "Terminator 3: Rise of the Machines",
        "Terminator Salvation",
        "Terminator: The Sarah Connor Chronicles",
    ]
    assert "The Terminator" in shorts
    root = xml(
        await consumer_client.get(
            "/catalog/titles/autocomplete", params={"term": "terminator", "max_results": 2}
        )
    )
    assert len(root.findall("autocomplete_item")) == 2


async def test_autocomplete_needs_only_the_consumer_key(emulator_app: object) -> None:
    async with asgi_client(emulator_app) as client:
        bare = await client.get(
            "/catalog/titles/autocomplete",
            params={"term": "jaws", "oauth_consumer_key": "nfxdemoconsumerkey"},
        )
        assert bare.status_code == 200
        unsigned = await client.get(
            "/catalog/titles", params={"term": "jaws", "oauth_consumer_key": "nfxdemoconsumerkey"}
        )
        assert unsigned.status_code == 401
        nothing = await client.get("/catalog/titles/autocomplete", params={"term": "jaws"})
        assert nothing.status_code == 401


async def test_people_search_and_person(consumer_client: httpx.AsyncClient) -> None:
    root = xml(await consumer_client.get("/catalog/people", params={"term": "spielberg"}))
    assert root.tag == "people" and root.findtext("number_of_results") == "1"
    person = root.find("person")
    assert person is not None and person.findtext("name") == "Steven Spielberg"
    assert person.findtext("id") == f"{BASE}/catalog/people/87835"
    assert [link.get("title") for link in person.findall("link")] == ["filmography", "web page"]
    expanded = xml(
        await consumer_client.get(
            "/catalog/people", params={"term": "spielberg", "expand": "filmography"}
        )
    )
    films = expanded.findall("person/link/filmography/filmography_item")
    assert {f.find("title").get("regular") for f in films} >= {  # type: ignore[union-attr]
        "Jaws",
        "Jurassic Park",
    }
    paged = xml(
        await consumer_client.get("/catalog/people", params={"term": "a", "max_results": 3})
    )
    assert len(paged.findall("person")) == 3


async def test_people_by_id_and_filmography(consumer_client: httpx.AsyncClient) -> None:
    person = xml(await consumer_client.get("/catalog/people/87835"))
    assert person.tag == "person" and "Jaws (1975)" in (person.findtext("bio") or "")
    assert b"<bio><![CDATA[" in (await consumer_client.get("/catalog/people/87835")).content
    films = xml(
        await consumer_client.get("/catalog/people/87835/filmography", params={"max_results": 2})
    )
    assert films.tag == "filmography"
    assert films.findtext("number_of_results") == "3"
    assert len(films.findall("filmography_item")) == 2
    assert films.find("filmography_item/id") is not None
    for path in ("/catalog/people/1", "/catalog/people/abc", "/catalog/people/1/filmography"):
        assert xml(await consumer_client.get(path), 404).findtext("message") == "Resource not found"
