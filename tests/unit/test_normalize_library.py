"""Ratings, rental history, at-home and catalog index normalizers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from emulator.document import Node, el
from service.errors import BadUpstream
from service.netflix.normalize import index, ratings, rentals
from service.schemas.titles import IndexTitle, TitleKind
from tests.support.samples import rendered_both

BASE = "http://api-public.netflix.com"
SCHEMAS = "http://schemas.netflix.com"


def _ratings_item(title_id: int, *extra: Node) -> Node:
    return el(
        "ratings_item",
        None,
        el("id", f"http://api.netflix.com/users/u-/ratings/title/actual/{title_id}0"),
        el("title", regular=f"T{title_id}", short=f"T{title_id}"),
        el(
            "link",
            href=f"http://api.netflix.com/catalog/titles/movies/{title_id}",
            rel=f"{SCHEMAS}/catalog/title",
            title=f"T{title_id}",
        ),
        el("average_rating", "3.2"),
        *extra,
    )


def test_ratings_actual_predicted_and_not_interested() -> None:
    node = el(
        "ratings",
        None,
        _ratings_item(1, el("user_rating", "4")),
        _ratings_item(2, el("predicted_rating", "3.7")),
        _ratings_item(3, el("user_rating", "not_interested")),
    )
    for doc in rendered_both(node):
        first, second, third = ratings.ratings(doc, ref_base=BASE)
        assert (first.rating.id, first.rating.user_rating, first.rating_id) == (
            "movies/1",
            4.0,
            "10",
        )
        assert (second.rating.user_rating, second.rating.predicted_rating) == (None, 3.7)
        assert third.rating.not_interested and third.rating.user_rating is None
        assert first.rating.average_rating == 3.2 and first.rating.title == "T1"
    for doc in rendered_both(el("ratings", None)):
        assert ratings.ratings(doc, ref_base=BASE) == []


def _rental(tag: str, *dates: Node) -> Node:
    return el(
        tag,
        None,
        el("id", "http://api.netflix.com/catalog/titles/movies/8"),
        el("title", regular="Eight", short="8"),
        *dates,
    )


def test_rental_history_and_at_home_dates_are_utc() -> None:
    node = el(
        "rental_history",
        None,
        el("number_of_results", 3),
        el("start_index", 0),
        el("results_per_page", 1),
        _rental(
            "rental_history_item", el("shipped_date", 1200000000), el("returned_date", "1200500000")
        ),
    )
    for doc in rendered_both(node):
        page = rentals.rental_page(doc, ref_base=BASE, page_size=25)
        (entry,) = page.items
        assert entry.shipped_at == datetime(2008, 1, 10, 21, 20, tzinfo=UTC)
        assert entry.returned_at == datetime.fromtimestamp(1200500000, UTC)
        assert entry.watched_at is None and page.next == 1
    home = el("at_home", None, _rental("at_home_item", el("estimated_arrival_date", 86400)))
    for doc in rendered_both(home):
        (entry,) = rentals.at_home(doc, ref_base=BASE)
        assert entry.estimated_arrival_at == datetime(1970, 1, 2, tzinfo=UTC)


def test_index_item_keeps_actors_not_directors() -> None:
    node = el(
        "title_index_item",
        None,
        el("id", "http://api-public.netflix.com/catalog/titles/series/77"),
        el("title", "Seventy Seven"),
        el(
            "link",
            href="http://api-public.netflix.com/catalog/people/1",
            rel=f"{SCHEMAS}/catalog/person.actor",
            title="Actor One",
        ),
        el(
            "link",
            href="http://api-public.netflix.com/catalog/people/2",
            rel=f"{SCHEMAS}/catalog/person.director",
            title="Director Two",
        ),
        el("release_year", 2004),
        el("category", scheme="http://api.netflix.com/categories/genres", label="Drama"),
        el(
            "delivery_formats",
            None,
            el(
                "availability",
                None,
                el(
                    "category",
                    scheme="http://api.netflix.com/categories/title_formats",
                    label="DVD",
                ),
                available_from=10,
            ),
        ),
    )
    for doc in rendered_both(node):
        item = IndexTitle.model_validate(index.index_fields(doc.node(), ref_base=BASE))
        assert (item.id, item.kind, item.title, item.release_year) == (
            "series/77",
            TitleKind.SERIES,
            "Seventy Seven",
            2004,
        )
        assert [p.name for p in item.cast_members] == ["Actor One"]
        assert item.genres == ["Drama"]
        assert [a.format for a in item.availability] == ["DVD"]


def test_index_item_named_by_its_link_and_one_without_reference() -> None:
    linked = el(
        "title_index_item",
        None,
        el("title", short="Short Only"),
        el("link", href="http://api.netflix.com/catalog/people/x", rel=f"{SCHEMAS}/other"),
        el("link", href="http://api.netflix.com/catalog/titles/discs/5", rel=f"{SCHEMAS}/id"),
        el("link", href="http://api.netflix.com/catalog/people/bad", rel="x/catalog/person.actor"),
    )
    for doc in rendered_both(linked):
        item = IndexTitle.model_validate(index.index_fields(doc.node(), ref_base=BASE))
        assert (item.id, item.title, item.cast_members) == ("discs/5", "Short Only", [])
    bare = el("title_index_item", None, el("title", "Nameless"))
    for doc in rendered_both(bare):
        with pytest.raises(BadUpstream, match="without a catalog title reference"):
            index.index_fields(doc.node(), ref_base=BASE)
