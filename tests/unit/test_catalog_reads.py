"""Each catalog read is declared once; router, front tier, keys and purge groups follow it."""

from __future__ import annotations

import pytest
from fastapi.routing import APIRoute

from service import catalog_reads as reads
from service.catalog_reads import CatalogRead
from service.limits import TitleCollection
from service.routers.catalog import router
from service.schemas.titles import TitlePart
from service.settings import Settings


def test_every_read_is_routed_at_its_declared_path_and_operation_id() -> None:
    routed = {
        route.operation_id: route.path for route in router.routes if isinstance(route, APIRoute)
    }
    for read in reads.READS:
        assert routed[read.operation_id] == read.path


def test_every_declared_path_is_recognized_by_the_front_tier() -> None:
    samples = {"kind": "movies", "title_id": "1", "series_id": "2", "season_id": "3"}
    for read in reads.READS:
        path = read.path.format(**samples, person_id="4")
        query = {"term": "x"} if "term" in read.query else {}
        found = reads.recognize(path, query)
        assert found is not None and found[0] is read, path


def test_keys_fill_defaults_and_ignore_order_case_and_enum_members() -> None:
    explicit = reads.SEARCH_TITLES.key(
        term=" Jaws ",
        start_index=0,
        page_size=25,
        include=(TitlePart.CAST, TitlePart.SYNOPSIS, TitlePart.CAST),
    )
    assert explicit == reads.SEARCH_TITLES.key(term="jaws", include="synopsis,cast")
    assert reads.GET_TITLE.key(kind=TitleCollection.MOVIES, title_id=1) == reads.GET_TITLE.key(
        kind="movies", title_id=1, include=()
    )
    assert reads.GET_TITLE.key(kind="movies", title_id=1) != reads.GET_TITLE.key(
        kind="movies", title_id=1, include="cast"
    )


def test_keys_refuse_undeclared_or_missing_parameters() -> None:
    with pytest.raises(TypeError):
        reads.GET_PERSON.key(person_id=1, include=())
    with pytest.raises(TypeError):
        reads.GET_PERSON.key()
    with pytest.raises(TypeError):
        reads.SEARCH_PEOPLE.key(start_index=0)  # a term has no default
    with pytest.raises(TypeError):
        reads.GET_PERSON.key(person_id=[1])


def test_declarations_refuse_unknown_parameters_and_odd_templates() -> None:
    with pytest.raises(ValueError, match="bad template"):
        CatalogRead("x", "x", "/v1/things/{thing_id}", (), "title")
    with pytest.raises(ValueError, match="bad template"):
        CatalogRead("x", "x", "/v1/things", ("colour",), "title")
    with pytest.raises(ValueError, match="bad template"):
        CatalogRead("x", "x", "/v1/things.*", (), "title")


def test_purge_groups_are_the_declared_groups_and_their_parents() -> None:
    assert {"titles", "people", "titles.get", "titles.search", "people.get"} <= set(
        reads.PURGE_GROUPS
    )
    assert all(read.group in reads.PURGE_GROUPS for read in reads.READS)


def test_ttl_comes_from_the_declared_group() -> None:
    settings = Settings(cache_ttl_autocomplete_s=7, cache_ttl_people_s=9)
    assert reads.AUTOCOMPLETE.ttl_s(settings) == 7
    assert reads.GET_PERSON.ttl_s(settings) == 9
