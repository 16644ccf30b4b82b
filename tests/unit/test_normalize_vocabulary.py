"""Vocabularies come out as the documented enums whatever casing or spelling the upstream used."""

from __future__ import annotations

import pytest

from emulator.document import Node, el
from service.netflix.normalize import common, parts, users
from service.schemas.titles import MaturityRating, RatingSystem, TitleFormat
from service.schemas.users import TitleAction
from tests.support.samples import rendered_both

API = "http://api.netflix.com/categories"


def _category(scheme: str, label: str) -> Node:
    return el("category", scheme=f"{API}/{scheme}", label=label, term=label)


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("instant", TitleFormat.INSTANT),
        ("Instant", TitleFormat.INSTANT),
        ("INSTANT", TitleFormat.INSTANT),
        ("dvd", TitleFormat.DVD),
        ("DVD", TitleFormat.DVD),
        ("Blu-ray", TitleFormat.BLU_RAY),
        ("blu-ray", TitleFormat.BLU_RAY),
        ("BLU_RAY", TitleFormat.BLU_RAY),
        ("HD DVD", None),
    ],
)
def test_format_labels_in_any_case(label: str, expected: TitleFormat | None) -> None:
    assert common.format_name(label) is expected


@pytest.mark.parametrize(
    ("scheme", "label", "expected"),
    [
        ("mpaa_ratings", "pg-13", MaturityRating(system=RatingSystem.MPAA, value="PG-13")),
        ("mpaa_ratings", "PG-13", MaturityRating(system=RatingSystem.MPAA, value="PG-13")),
        ("tv_ratings", "tv-ma", MaturityRating(system=RatingSystem.TV, value="TV-MA")),
        ("tv_ratings", " TV-Y7 ", MaturityRating(system=RatingSystem.TV, value="TV-Y7")),
    ],
)
def test_maturity_ratings_are_upper_case(scheme: str, label: str, expected: MaturityRating) -> None:
    node = el("catalog_title", None, _category(scheme, label))
    for doc in rendered_both(node):
        _genres, rating = common.genres_and_rating(doc.node())
        assert MaturityRating.model_validate(rating) == expected


def test_title_state_labels_in_any_case_become_actions() -> None:
    node = el(
        "format",
        None,
        _category("title_formats", "INSTANT"),
        *(
            _category("title_states", label)
            for label in ("PLAY", "in queue", "At_Home", "add", "Rate It")
        ),
    )
    for doc in rendered_both(node):
        cats = common.categories(doc)
        assert common.title_actions(cats) == [
            TitleAction.PLAY,
            TitleAction.IN_QUEUE,
            TitleAction.AT_HOME,
            TitleAction.ADD,
        ]
        assert common.format_labels(cats) == [TitleFormat.INSTANT]


def test_availability_of_an_unknown_format_is_left_out() -> None:
    node = el(
        "delivery_formats",
        None,
        el("availability", None, _category("title_formats", "INSTANT"), available_from="0"),
        el("availability", None, _category("title_formats", "Laserdisc")),
        el("availability", None, _category("title_formats", "blu-ray")),
    )
    for doc in rendered_both(node):
        assert [a["format"] for a in parts.availability(doc.node())] == [
            TitleFormat.INSTANT,
            TitleFormat.BLU_RAY,
        ]


def test_preferred_formats_in_any_case() -> None:
    node = el(
        "user",
        None,
        el("user_id", "u1"),
        el("first_name", "A"),
        el("last_name", "B"),
        el("can_instant_watch", "true"),
        el(
            "preferred_formats",
            None,
            _category("title_formats", "INSTANT"),
            _category("title_formats", "dvd"),
        ),
    )
    for doc in rendered_both(node):
        assert users.user(doc).preferred_formats == [TitleFormat.INSTANT, TitleFormat.DVD]
