"""Title refs: the only way a title reaches an upstream URL."""

from __future__ import annotations

import re

import pytest

from service.errors import InvalidInput, NotFound
from service.netflix.refs import TitleRef, title_id
from service.schemas.patterns import TITLE_REF
from service.schemas.titles import TitleKind


@pytest.mark.parametrize(
    ("text", "kind", "title_id", "season_id"),
    [
        ("movies/60010110", "movies", 60010110, None),
        ("series/70136120", "series", 70136120, None),
        ("series/70136120/seasons/70136130", "series", 70136120, 70136130),
        ("programs/70136131", "programs", 70136131, None),
        ("discs/70136140", "discs", 70136140, None),
        ("  movies/60010110/ ", "movies", 60010110, None),
        ("/catalog/titles/movies/60010110", "movies", 60010110, None),
    ],
)
def test_short_ids_parse(text: str, kind: str, title_id: int, season_id: int | None) -> None:
    ref = TitleRef.parse(text)
    assert (ref.kind, ref.id, ref.season_id) == (kind, title_id, season_id)


@pytest.mark.parametrize(
    "url",
    [
        "http://api.netflix.com/catalog/titles/series/70136120/seasons/70136130",
        "https://api.netflix.com/catalog/titles/series/70136120/seasons/70136130",
        "http://api-public.netflix.com/catalog/titles/series/70136120/seasons/70136130",
        "https://API-PUBLIC.netflix.com/catalog/titles/series/70136120/seasons/70136130",
    ],
)
def test_urls_on_netflix_hosts_parse(url: str) -> None:
    ref = TitleRef.parse(url)
    assert ref.short == "series/70136120/seasons/70136130"
    assert ref.title_kind is TitleKind.SEASON


def test_configured_hosts_are_accepted_only_when_given() -> None:
    url = "http://127.0.0.1:8081/catalog/titles/movies/5"
    with pytest.raises(NotFound):  # a title of another host is no title of this upstream
        TitleRef.parse(url)
    assert TitleRef.parse(url, hosts={"127.0.0.1:8081"}).short == "movies/5"
    assert (
        TitleRef.parse("https://netflix.test/catalog/titles/discs/7", hosts={"netflix.test"}).short
        == "discs/7"
    )


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "movies",
        "movies/",
        "movies/0",
        "movies/-1",
        "movies/12a",
        "films/60010110",
        "movies/60010110/seasons/2",
        "series/1/seasons/0",
        "movies/60010110/../../users/current",
        "movies/1?x=1",
        "https://user:pw@api.netflix.com/catalog/titles/movies/1",
        "https://api.netflix.com/catalog/titles/movies/1?output=json",
        "https://api.netflix.com/catalog/titles/movies/1#x",
        "https://api.netflix.com/users/current",
        "https://api.netflix.com:notaport/catalog/titles/movies/1",
        "ftp://api.netflix.com/catalog/titles/movies/1",
        "javascript://api.netflix.com/catalog/titles/movies/1",
        "movies/" + "1" * 400,
    ],
)
def test_anything_else_is_invalid_input(text: str) -> None:
    with pytest.raises(InvalidInput):
        TitleRef.parse(text)


@pytest.mark.parametrize(
    "text",
    [
        "https://evil.example/catalog/titles/movies/60010110",
        "https://api.netflix.com.evil.example/catalog/titles/movies/1",
    ],
)
def test_titles_on_other_hosts_are_not_found(text: str) -> None:
    with pytest.raises(NotFound):
        TitleRef.parse(text)


def test_every_accepted_shape_matches_the_documented_pattern() -> None:
    for text in (
        "movies/60010110",
        " series/70136120/seasons/70136130 ",
        "/catalog/titles/discs/7/",
        "http://api.netflix.com/catalog/titles/programs/5",
        "http://127.0.0.1:8081/catalog/titles/movies/5",
    ):
        assert re.fullmatch(TITLE_REF.regex, text), text
        TitleRef.parse(text, hosts={"127.0.0.1:8081"})


def test_short_and_url_round_trip_against_a_base() -> None:
    ref = TitleRef("series", 70136120, 70136130)
    assert ref.short == "series/70136120/seasons/70136130"
    assert ref.path == "/catalog/titles/series/70136120/seasons/70136130"
    assert ref.url("http://api-public.netflix.com/") == (
        "http://api-public.netflix.com/catalog/titles/series/70136120/seasons/70136130"
    )
    assert TitleRef.parse(ref.url("https://api.netflix.com")) == ref
    assert TitleRef.parse(ref.short) == ref


def test_constructor_validates_too() -> None:
    with pytest.raises(InvalidInput):
        TitleRef("movies", 0)
    with pytest.raises(InvalidInput):
        TitleRef("movies", 1, 2)
    with pytest.raises(InvalidInput):
        TitleRef("users", 1)  # type: ignore[arg-type]


def test_from_upstream_reads_any_host_but_only_title_paths() -> None:
    found = TitleRef.from_upstream("http://whatever/catalog/titles/movies/3")
    assert found == TitleRef("movies", 3)
    assert TitleRef.from_upstream("http://x/users/u/queues/disc/available/1/3") is None
    assert TitleRef.from_upstream("http://x/catalog/titles/movies/3/synopsis") is None
    assert TitleRef.from_upstream("") is None


@pytest.mark.parametrize(
    "url",
    [
        "http://api-public.netflix.com/catalog/titles/movies/60010110",
        " https://api.netflix.com/catalog/titles/series/70136120// \n",
        "http://x:8080/catalog/titles/series/70136120/seasons/70136130",
        "http://x/catalog/titles/programs/1",
        "http://x/catalog/titles/discs/999999999999999",
        "/catalog/titles/movies/3",
        "http://x/catalog/titles/movies/3?x=1",
        "http://x/catalog/titles/movies/03",
        "http://x/catalog/titles/movies/0",
        "http://x/catalog/titles/movies/3/synopsis",
        "http://x/catalog/titles/users/3",
        "not a url",
        "",
    ],
)
def test_title_id_is_from_upstream_as_short_id_and_kind(url: str) -> None:
    ref = TitleRef.from_upstream(url)
    assert title_id(url) == (None if ref is None else (ref.short, ref.title_kind))


def test_an_upstream_season_of_anything_but_a_series_names_no_title() -> None:
    url = "http://x/catalog/titles/movies/3/seasons/4"
    assert TitleRef.from_upstream(url) is None
    assert title_id(url) is None
    with pytest.raises(InvalidInput):  # from a client, the same text is refused
        TitleRef.parse("movies/3/seasons/4")
