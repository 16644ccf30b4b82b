"""The front tier's key recognition agrees with the routers', and its LRU/TTL behave."""

from __future__ import annotations

import pytest

from service.front import FrontCache, front_key
from service.netflix.refs import TitleRef
from service.schemas.titles import TitlePart
from service.usecases import catalog

SYNOPSIS_CAST = (TitlePart.SYNOPSIS, TitlePart.CAST)


@pytest.mark.parametrize(
    ("path", "query", "expected"),
    [
        (
            "/v1/titles",
            b"term=Jurassic+Park",
            catalog.search_key("jurassic park", 0, catalog.DEFAULT_PAGE_SIZE, ()),
        ),
        (
            "/v1/titles",
            b"page_size=25&term=%20JURASSIC%20%20park&start_index=0",
            catalog.search_key("Jurassic Park", 0, 25, ()),
        ),
        (
            "/v1/titles",
            b"term=x&include=cast,synopsis,cast",
            catalog.search_key("x", 0, 25, SYNOPSIS_CAST),
        ),
        ("/v1/titles/autocomplete", b"term=Jura", catalog.autocomplete_key("jura")),
        ("/v1/titles/movies/60020435", b"", catalog.title_key(TitleRef("movies", 60020435), ())),
        (
            "/v1/titles/series/1/seasons/2",
            b"include=synopsis",
            catalog.title_key(TitleRef("series", 1, 2), (TitlePart.SYNOPSIS,)),
        ),
        (
            "/v1/titles/discs/7/similar",
            b"page_size=5",
            catalog.similar_key(TitleRef("discs", 7), 0, 5),
        ),
        (
            "/v1/people",
            b"term=spielberg&start_index=25",
            catalog.people_search_key("Spielberg", 25, catalog.DEFAULT_PAGE_SIZE),
        ),
        ("/v1/people/42", b"", catalog.person_key(42)),
    ],
)
def test_raw_requests_map_to_the_routers_keys(path: str, query: bytes, expected: str) -> None:
    assert front_key(path, query) == expected


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
    ],
)
def test_anything_unclear_passes_through(path: str, query: bytes) -> None:
    assert front_key(path, query) is None


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
    search = catalog.search_key("x", 0, 25, ())
    similar = catalog.similar_key(TitleRef("movies", 1), 0, 25)
    person = catalog.person_key(1)
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
