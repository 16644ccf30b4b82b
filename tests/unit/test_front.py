"""The front tier's key recognition agrees with the routers', and its LRU/TTL behave."""

from __future__ import annotations

import pytest

from service import catalog_reads as reads
from service.front import FrontCache, front_lookup
from service.schemas.titles import TitlePart

SYNOPSIS_CAST = (TitlePart.SYNOPSIS, TitlePart.CAST)


@pytest.mark.parametrize(
    ("path", "query", "expected"),
    [
        (
            "/v1/titles",
            b"term=Jurassic+Park",
            reads.SEARCH_TITLES.key(term="jurassic park", start_index=0, page_size=25, include=()),
        ),
        (
            "/v1/titles",
            b"page_size=25&term=%20JURASSIC%20%20park&start_index=0",
            reads.SEARCH_TITLES.key(term="Jurassic Park", start_index=0, page_size=25, include=()),
        ),
        (
            "/v1/titles",
            b"term=x&include=cast,synopsis,cast",
            reads.SEARCH_TITLES.key(term="x", start_index=0, page_size=25, include=SYNOPSIS_CAST),
        ),
        ("/v1/titles/autocomplete", b"term=Jura", reads.AUTOCOMPLETE.key(term="jura")),
        (
            "/v1/titles/movies/60020435",
            b"",
            reads.GET_TITLE.key(kind="movies", title_id=60020435, include=()),
        ),
        (
            "/v1/titles/series/1/seasons/2",
            b"include=synopsis",
            reads.GET_SEASON.key(series_id=1, season_id=2, include=(TitlePart.SYNOPSIS,)),
        ),
        (
            "/v1/titles/discs/7/similar",
            b"page_size=5",
            reads.LIST_SIMILAR.key(kind="discs", title_id=7, start_index=0, page_size=5),
        ),
        (
            "/v1/people",
            b"term=spielberg&start_index=25",
            reads.SEARCH_PEOPLE.key(term="Spielberg", start_index=25, page_size=25),
        ),
        ("/v1/people/42", b"", reads.GET_PERSON.key(person_id=42)),
    ],
)
def test_raw_requests_map_to_the_routers_keys(path: str, query: bytes, expected: str) -> None:
    found = front_lookup(path, query)
    assert found is not None and found[1] == expected


def test_a_hit_names_the_declared_route() -> None:
    found = front_lookup("/v1/titles/series/1/seasons/2", b"")
    assert found is not None
    read, key = found
    assert read.path == "/v1/titles/series/{series_id}/seasons/{season_id}"
    assert key == reads.GET_SEASON.key(series_id=1, season_id=2, include=())


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/v1/titles", b""),
        ("/v1/titles", b"term=%20"),
        ("/v1/titles", b"term=a&term=b"),
        ("/v1/titles", b"term=a&page_size=0"),
        ("/v1/titles", b"term=a&page_size=+5"),
        ("/v1/titles", b"term=a&include=bogus"),
        ("/v1/titles/movies/0", b""),
        ("/v1/titles/people/1", b""),
        ("/v1/catalog/index", b""),
        ("/v1/me", b""),
        ("/v1/titles/movies/1/", b""),
        ("/v1/titles/movies/1", b"include=seasons,bogus"),
        ("/v1/people/0123", b""),
        ("/v1/titles/movies/1/similar", b"start_index=100001"),
        ("/v1/titles/autocomplete", b"term=" + b"x" * 201),
    ],
)
def test_anything_unclear_passes_through(path: str, query: bytes) -> None:
    assert front_lookup(path, query) is None


def test_entries_expire_and_the_least_recent_is_evicted() -> None:
    now = [1000.0]
    cache = FrontCache(ttl_s=2.0, max_entries=2, clock=lambda: now[0])
    cache.put("a", b"A", age_s=5)
    cache.put("b", b"B", age_s=0)
    assert cache.get("a") is not None  # "a" is now the most recent
    cache.put("c", b"C", age_s=0)
    assert cache.get("b") is None
    entry = cache.get("a")
    assert entry is not None and cache.age_of(entry) == 5
    now[0] += 2.5
    assert cache.get("a") is None and cache.get("c") is None
    assert len(cache) == 0


def test_entries_never_outlive_the_freshness_of_what_they_hold() -> None:
    now = [1000.0]
    cache = FrontCache(ttl_s=2.0, max_entries=8, clock=lambda: now[0])
    cache.put("nearly-stale", b"A", age_s=299.5, fresh_for_s=300)
    cache.put("stale", b"B", age_s=300, fresh_for_s=300)
    cache.put("fresh", b"C", age_s=10, fresh_for_s=300)
    assert cache.get("stale") is None
    now[0] += 1.0
    assert cache.get("nearly-stale") is None  # its shared copy went stale half a second ago
    assert cache.get("fresh") is not None


def test_clear_by_group_and_disabled_cache() -> None:
    cache = FrontCache(ttl_s=2.0, max_entries=10)
    search = reads.SEARCH_TITLES.key(term="x", start_index=0, page_size=25, include=())
    similar = reads.LIST_SIMILAR.key(kind="movies", title_id=1, start_index=0, page_size=25)
    person = reads.GET_PERSON.key(person_id=1)
    for key in (search, similar, person):
        cache.put(key, b"1", age_s=0)
    # Groups end at a dot or colon, like the shared cache's purge: "titles.s" names nothing.
    assert cache.clear("titles.s") == 0
    assert cache.clear("titles.search") == 1
    assert cache.get(search) is None and cache.get(similar) is not None
    assert cache.clear("titles") == 1
    assert cache.get(person) is not None
    assert cache.clear() == 1
    disabled = FrontCache(ttl_s=0, max_entries=10)
    disabled.put("k", b"v", age_s=0)
    assert not disabled.enabled and disabled.get("k") is None
