"""Loose, ranked search: any word matches, exact names first, real totals, one index."""

from __future__ import annotations

import time

import httpx
import pytest
from lxml import etree

from emulator.catalog.data import Catalog, build_catalog
from emulator.catalog.search import SearchIndex

BASE = "http://api-public.netflix.com"
LARGE = 10_000


@pytest.fixture(scope="module")
def large() -> Catalog:
    return build_catalog(seed=1, size=LARGE, public_base=BASE)


def test_one_word_terms_find_hundreds_on_a_large_catalog(large: Catalog) -> None:
    for term in ("the", "of", "canyon"):
        found = large.search(term)
        assert len(found) > 100, term
        assert len({t.id for t in found}) == len(found)  # each title once
    assert all(t.is_top_level for t in large.search("the"))


def test_exact_names_come_first_then_names_beginning_with_the_term(large: Catalog) -> None:
    found = [t.title for t in large.search("jurassic park")]
    assert found[:3] == ["Jurassic Park", "Jurassic Park III", "The Lost World: Jurassic Park"]
    loose = [t.title for t in large.search("jurassic canyon")]
    assert loose[0].startswith("Jurassic") and any("Canyon" in t for t in loose)
    assert large.search("JAWS")[0].title == "Jaws"
    assert large.search("mar adentro")[0].title == "The Sea Inside"  # an alias, exactly
    canyon = large.search("canyon")
    assert canyon[0].title.casefold().split()[0] == "canyon"


def test_any_word_matches_and_rarer_words_weigh_more(large: Catalog) -> None:
    assert large.search("jurassic zzzz")[0].title == "Jurassic Park"
    assert large.search("park jurassic")[0].title == "Jurassic Park"
    terminator = large.search("the terminator")
    assert terminator[0].title == "The Terminator"
    # A name holding both words beats names holding only the common one.
    both = {t.id for t in terminator if "terminator" in t.title.casefold()}
    assert {t.id for t in terminator[: len(both)]} == both
    assert large.search("zzzz") == [] and large.search(" ,. ") == []


def test_words_are_matched_by_their_beginning_too(large: Catalog) -> None:
    found = [t.title for t in large.search("termin")]
    assert found and all("termin" in t.casefold() for t in found)
    assert [t.title for t in large.search("ada's")] == [t.title for t in large.search("adas")]


def test_people_search_is_loose_and_ranked(large: Catalog) -> None:
    assert large.search_people("steven zzzz")[0].name == "Steven Spielberg"
    assert large.search_people("spielberg")[0].name == "Steven Spielberg"
    assert len(large.search_people("a")) > 10


def test_one_word_fast_path_ranks_as_the_general_one(large: Catalog) -> None:
    """One-word terms skip per-hit scoring; the order must be the general ranking's."""
    index = SearchIndex(list(large.titles), lambda t: (t.title, *t.aliases))
    for word in ("the", "a", "of", "canyon", "c", "termin", "jaws", "z", "2"):
        assert index._rank_word(word) == index._rank_words((word,)), word


def test_the_index_is_built_once_and_answers_are_reused(large: Catalog) -> None:
    started = time.perf_counter()
    first = large.search("the")
    elapsed = time.perf_counter() - started
    assert large.search("the") is first
    assert large.search("  THE ") is first
    print(f"search('the') on {LARGE} titles: {len(first)} results, {elapsed * 1000:.1f} ms")


async def test_search_total_and_pages_over_http(consumer_client: httpx.AsyncClient) -> None:
    first = etree.fromstring(
        (await consumer_client.get("/catalog/titles", params={"term": "the"})).content
    )
    total = int(first.findtext("number_of_results") or 0)
    assert total > 25
    ids = [t.findtext("id") for t in first.findall("catalog_title")]
    second = etree.fromstring(
        (
            await consumer_client.get("/catalog/titles", params={"term": "the", "start_index": 25})
        ).content
    )
    more = [t.findtext("id") for t in second.findall("catalog_title")]
    assert more and not set(ids) & set(more)
    assert second.findtext("number_of_results") == str(total)
