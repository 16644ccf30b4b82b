"""The seeded catalog: determinism, sizes, well-known titles, lookups, search and people."""

from __future__ import annotations

import time

import pytest

from emulator.catalog.data import Catalog, build_catalog
from emulator.catalog.model import DISCS, MOVIES, PROGRAMS, SEASONS, SERIES
from emulator.catalog.well_known import TITLES as WELL_KNOWN

BASE = "http://api-public.netflix.com"
SIZE = 300


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return build_catalog(seed=1, size=SIZE, public_base=BASE)


def test_same_seed_gives_the_same_catalog(catalog: Catalog) -> None:
    again = build_catalog(seed=1, size=SIZE, public_base=BASE)
    assert list(again.all_titles()) == list(catalog.all_titles())
    assert [again.person(p) for p in catalog.titles[50].cast] == [
        catalog.person(p) for p in catalog.titles[50].cast
    ]


def test_another_seed_gives_another_catalog(catalog: Catalog) -> None:
    other = build_catalog(seed=2, size=SIZE, public_base=BASE)
    generated = slice(len(WELL_KNOWN), None)
    assert [t.title for t in other.titles[generated]] != [
        t.title for t in catalog.titles[generated]
    ]
    # The hand-entered titles stay, whatever the seed.
    assert other.get(MOVIES, 60020435) is not None


@pytest.mark.parametrize("size", [0, 5, len(WELL_KNOWN), 40, 1000])
def test_size_counts_top_level_titles(size: int) -> None:
    catalog = build_catalog(seed=3, size=size, public_base=BASE)
    assert len(catalog.titles) == max(size, len(WELL_KNOWN))
    assert all(t.is_top_level for t in catalog.titles)
    assert catalog.search("jurassic park")[0].title == "Jurassic Park"


def test_negative_size_is_refused() -> None:
    with pytest.raises(ValueError, match="size"):
        build_catalog(seed=1, size=-1, public_base=BASE)


def test_ids_are_unique_and_netflix_like(catalog: Catalog) -> None:
    titles = list(catalog.all_titles())
    assert len({t.id for t in titles}) == len(titles)
    for title in catalog.titles:
        assert 60_000_000 <= title.id < 80_000_000 or title.id == 1032625
    assert {t.kind for t in titles} == {MOVIES, SERIES, SEASONS, PROGRAMS, DISCS}


def test_well_known_titles_carry_their_facts(catalog: Catalog) -> None:
    jurassic = catalog.search("Jurassic Park")[0]
    assert (jurassic.title, jurassic.release_year, jurassic.rating) == (
        "Jurassic Park",
        1993,
        "PG-13",
    )
    assert jurassic.runtime_s == 127 * 60
    directors = catalog.people(jurassic.directors)
    assert [p.name for p in directors] == ["Steven Spielberg"]
    assert (
        "Sam Neill" in jurassic.synopsis
        and '<a href="http://www.netflix.com/RoleDisplay/' in jurassic.synopsis
    )
    assert any(a.won and a.category == "Best Visual Effects" for a in jurassic.awards)
    spielberg = directors[0]
    assert spielberg.bio is not None and "Jaws (1975)" in spielberg.bio
    assert {t.title for t in catalog.filmography(spielberg.id)} >= {"Jaws", "Jurassic Park"}


def test_titles_have_every_field_netflix_had(catalog: Catalog) -> None:
    for title in catalog.all_titles():
        assert title.ref.startswith(f"{BASE}/catalog/titles/")
        assert title.formats and title.genres and title.languages
        assert 1.0 <= title.average_rating <= 5.0
        assert title.kind == SERIES or (title.runtime_s or 0) > 0
        for window in title.formats:
            assert window.label in {"instant", "DVD", "Blu-ray"}
            assert window.available_until is None or window.available_until > window.available_from
        art = title.box_art
        assert (
            art["small"] == f"http://cdn-{title.id % 10}.nflximg.com/us/boxshots/tiny/"
            f"{title.id}.jpg"
        )


def test_series_have_seasons_episodes_and_discs(catalog: Catalog) -> None:
    series = catalog.get(SERIES, 70157234)
    assert series is not None
    seasons = catalog.children(series.seasons)
    assert [s.season_number for s in seasons] == [1, 2]
    assert [len(s.episodes) for s in seasons] == [9, 22]
    season = seasons[0]
    assert season.ref == f"{BASE}/catalog/titles/series/70157234/seasons/{season.id}"
    episode = catalog.children(season.episodes)[0]
    assert (episode.kind, episode.parent_id, episode.series_id) == (PROGRAMS, season.id, series.id)
    disc = catalog.children(season.discs)[0]
    assert disc.kind == DISCS and set(disc.episodes) <= set(season.episodes)
    assert "instant" not in disc.format_labels


@pytest.mark.parametrize(
    "ref",
    [
        "http://api.netflix.com/catalog/titles/movies/60001220",
        "http://api-public.netflix.com/catalog/titles/movies/60001220",
        "https://netflix.test/catalog/titles/movies/60001220?output=json",
        "/catalog/titles/movies/60001220",
        "/catalog/titles/movies/60001220/",
    ],
)
def test_resolve_ref_accepts_any_host(catalog: Catalog, ref: str) -> None:
    title = catalog.resolve_ref(ref)
    assert title is not None and title.title == "Jaws"


def test_resolve_ref_finds_seasons_under_their_series(catalog: Catalog) -> None:
    series = catalog.get(SERIES, 70157234)
    assert series is not None
    season_id = series.seasons[1]
    assert catalog.resolve_ref(
        f"/catalog/titles/series/70157234/seasons/{season_id}"
    ) == catalog.get(SEASONS, season_id)
    assert catalog.resolve_ref(f"/catalog/titles/series/60001220/seasons/{season_id}") is None


@pytest.mark.parametrize(
    "ref",
    [
        "/catalog/titles/movies/1",
        "/catalog/titles/series/60001220",
        "/catalog/titles/movies/abc",
        "/catalog/titles/films/60001220",
        "/catalog/people/87835",
        "",
        "not a url",
    ],
)
def test_resolve_ref_refuses_unknown_or_malformed(catalog: Catalog, ref: str) -> None:
    assert catalog.resolve_ref(ref) is None


def test_get_checks_the_kind(catalog: Catalog) -> None:
    assert catalog.get(MOVIES, 60001220) is not None
    assert catalog.get(SERIES, 60001220) is None
    assert catalog.get(MOVIES, 999) is None


def test_search_ranks_exact_then_prefix_then_others(catalog: Catalog) -> None:
    titles = [t.title for t in catalog.search("  TERMINATOR ")]
    # Names beginning with the term, fewest other words first; then names holding it.
    assert titles == [
        "Terminator Salvation",
        "Terminator 2: Judgment Day",
        "Terminator: The Sarah Connor Chronicles",
        "Terminator 3: Rise of the Machines",
        "The Terminator",
    ]
    assert [t.title for t in catalog.search("the terminator")][:2] == [
        "The Terminator",
        "Terminator: The Sarah Connor Chronicles",
    ]
    assert catalog.search("jaws")[0].title == "Jaws"
    assert catalog.search("park jurassic")[0].title == "Jurassic Park"
    assert catalog.search("mar adentro")[0].title == "The Sea Inside"
    assert catalog.search("zzzz-nothing") == []
    assert catalog.search("   ") == []


def test_autocomplete_and_people_search(catalog: Catalog) -> None:
    names = catalog.autocomplete("ter", limit=10)
    assert "Terminator Salvation" in names and len(names) <= 10
    assert [p.name for p in catalog.search_people("spielberg")] == ["Steven Spielberg"]
    assert catalog.search_people("") == []


def test_similars_share_the_main_genre(catalog: Catalog) -> None:
    jaws = catalog.get(MOVIES, 60001220)
    assert jaws is not None
    similars = catalog.similars(jaws)
    assert similars and jaws not in similars
    assert all(t.genres[0] == jaws.genres[0] for t in similars)


def test_build_speed_is_reported() -> None:
    started = time.perf_counter()
    catalog = build_catalog(seed=1, size=3000, public_base=BASE)
    elapsed = time.perf_counter() - started
    print(
        f"build_catalog(size=3000): {elapsed:.3f} s, "
        f"{sum(1 for _ in catalog.all_titles())} titles in all"
    )
    assert len(catalog.titles) == 3000


TV_SCALE = {"TV-Y", "TV-Y7", "TV-G", "TV-PG", "TV-14", "TV-MA"}


def test_series_and_a_share_of_movies_are_rated_on_the_tv_scale() -> None:
    titles = build_catalog(seed=1, size=3000, public_base=BASE).titles
    series = [t for t in titles if t.kind == SERIES]
    movies = [t for t in titles if t.kind == MOVIES]
    assert series and all(t.rating_scheme == "tv_ratings" for t in series)
    assert {t.rating for t in series} == TV_SCALE
    tv_movies = [t for t in movies if t.rating_scheme == "tv_ratings"]
    assert 0.05 < len(tv_movies) / len(movies) < 0.25
    assert {t.rating for t in tv_movies} <= TV_SCALE
    assert all(t.rating not in TV_SCALE for t in movies if t.rating_scheme == "mpaa_ratings")
    documentaries = [t for t in movies if t.genres[0] == "Documentary"]
    tv_documentaries = [t for t in documentaries if t.rating_scheme == "tv_ratings"]
    assert len(tv_documentaries) / len(documentaries) > len(tv_movies) / len(movies)
