"""Title normalizers: recorded samples, hand-written edge cases, and XML/JSON parity."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from emulator.document import Node, el
from service.errors import BadUpstream
from service.netflix.netflix_json import parse_json
from service.netflix.normalize import parts, titles
from service.schemas.titles import Availability, MaturityRating, TitleKind
from tests.support.samples import LIMIT, rendered_both, sample_doc

BASE = "http://api-public.netflix.com"
SCHEMAS = "http://schemas.netflix.com"


def _title_node(host: str, title_id: int, *extra: Node, kind: str = "movies") -> Node:
    ref = f"http://{host}/catalog/titles/{kind}/{title_id}"
    return el(
        "catalog_title",
        None,
        el("id", ref),
        el("title", short=f"Short {title_id}", regular=f"Regular {title_id}"),
        el("box_art", small="s.jpg", medium="m.jpg", large="l.jpg"),
        el("release_year", 1999),
        el(
            "category", scheme=f"http://{host}/categories/mpaa_ratings", label="PG-13", term="PG-13"
        ),
        el("category", scheme=f"http://{host}/categories/genres", label="Dramas", term="Dramas"),
        el("runtime", 5400),
        el("average_rating", "3.5"),
        el(
            "link",
            href=f"http://www.netflix.com/Movie/x/{title_id}",
            rel="alternate",
            title="web page",
        ),
        *extra,
    )


# --- recorded samples --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "total", "count"),
    [
        ("search-annamayya-10-of-371-agavvala.xml", 371, 10),
        ("search-jaws-1-of-291-flix4r.xml", 291, 1),
        ("search-star_wars-expand-synopsis-directors-2012-movieapp.xml", 23297, 5),
        ("search-terminator-expand-synopsis-directors-2013-movieapp.xml", 308, 5),
    ],
)
def test_recorded_search_pages(name: str, total: int, count: int) -> None:
    page = titles.title_page(sample_doc("catalog_titles", name), ref_base=BASE, page_size=25)
    assert (page.total, len(page.items), page.start_index, page.next) == (total, count, 0, count)
    for item in page.items:
        assert item.ref == f"{BASE}/catalog/titles/{item.id}"
        assert item.title


def test_recorded_expanded_synopsis_and_directors() -> None:
    page = titles.title_page(
        sample_doc(
            "catalog_titles", "search-star_wars-expand-synopsis-directors-2012-movieapp.xml"
        ),
        ref_base=BASE,
        page_size=25,
    )
    first = page.items[0]
    assert first.id == "movies/60010932"
    assert first.kind is TitleKind.MOVIE
    assert first.maturity_rating == MaturityRating(system="mpaa", value="PG")
    assert "Children & Family Movies" in first.genres
    assert first.directors is not None
    assert [(p.id, p.name) for p in first.directors] == [("people/56779", "George Lucas")]
    assert first.cast_members is None  # not expanded in that request
    assert first.synopsis_text is not None
    assert first.synopsis_text.startswith("Obi-Wan Kenobi (Alec Guinness) guides")


def test_recorded_entity_escaped_synopsis_keeps_html_and_adds_text() -> None:
    page = titles.title_page(
        sample_doc(
            "catalog_titles", "search-mar_adentro-expand-synopsis-cast-directors-movieapp.xml"
        ),
        ref_base=BASE,
        page_size=25,
    )
    sea = page.items[0]
    assert sea.synopsis_html is not None and '<a href="http://www.netflix.com/RoleDisplay' in (
        sea.synopsis_html
    )
    assert sea.synopsis_text is not None and "<a" not in sea.synopsis_text
    assert sea.synopsis_text.startswith("Javier Bardem stars in this moving film")
    assert sea.cast_members and sea.cast_members[0].name == "Javier Bardem"
    assert sea.directors and sea.directors[0].name == "Alejandro Amenábar"


def test_recorded_movie_document() -> None:
    jaws = titles.title_document(
        sample_doc("catalog_title", "movie-jaws-flix4r.xml"), ref_base=BASE
    )
    assert jaws.id == "movies/60001220"
    assert (jaws.title, jaws.release_year, jaws.runtime_s, jaws.average_rating) == (
        "Jaws",
        1975,
        7500,
        3.9,
    )
    assert jaws.box_art["large"].endswith("/large/60001220.jpg")
    assert jaws.web_page == "http://www.netflix.com/Movie/Jaws/60001220"
    assert jaws.synopsis_html is None and jaws.cast_members is None and jaws.availability is None


def test_recorded_recommendations_json_with_string_scalars() -> None:
    page = titles.recommendations_page(
        sample_doc("recommendations", "json-recommendations-sproutflix.json"),
        ref_base=BASE,
        page_size=25,
    )
    assert len(page.items) == 25
    seasons = [t for t in page.items if t.kind is TitleKind.SEASON]
    assert seasons and all(t.series is not None for t in seasons)
    assert all(isinstance(t.predicted_rating, float) for t in page.items)
    assert page.next == 25


def test_recorded_recommendations_json_with_numbers_and_empty_array() -> None:
    page = titles.recommendations_page(
        sample_doc("recommendations", "json-recommendations-5-of-287-dholdren.json"),
        ref_base=BASE,
        page_size=5,
    )
    assert page.total == 287 and page.page_size == 5
    assert page.items[0].id == "series/70143819"
    assert page.items[0].maturity_rating == MaturityRating(system="tv", value="TV-MA")
    empty = titles.recommendations_page(
        sample_doc("recommendations", "json-recommendations-empty-dholdren.json"),
        ref_base=BASE,
        page_size=25,
    )
    assert (empty.items, empty.total, empty.next) == ([], 0, None)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("autocomplete-step-movieapp.xml", ["Step Brothers", "Step Into Liquid"]),
        ("autocomplete-with-url_template-flix4r.xml", ["Love Wrecked", "Lovesickness"]),
    ],
)
def test_recorded_autocomplete(name: str, expected: list[str]) -> None:
    assert titles.autocomplete(sample_doc("autocomplete", name)).items[:2] == expected


def test_recorded_delivery_formats() -> None:
    doc = sample_doc("other", "delivery_formats-instant-bluray-dvd-netflix4ruby.xml")
    assert [Availability.model_validate(a) for a in parts.availability(doc.node())] == [
        Availability(
            format="instant",
            available_from=datetime.fromtimestamp(1308985200, UTC),
            available_until=datetime.fromtimestamp(1356422400, UTC),
        ),
        Availability(format="Blu-ray", available_from=datetime.fromtimestamp(1285657200, UTC)),
        Availability(format="DVD", available_from=datetime.fromtimestamp(1285657200, UTC)),
    ]


# --- hand-written edge cases -------------------------------------------------------------


@pytest.mark.parametrize("host", ["api.netflix.com", "api-public.netflix.com", "netflix.test"])
def test_both_hosts_give_the_same_title(host: str) -> None:
    for doc in rendered_both(_title_node(host, 60010110)):
        title = titles.title(doc, ref_base=BASE)
        assert title.id == "movies/60010110"
        assert title.ref == f"{BASE}/catalog/titles/movies/60010110"
        assert title.genres == ["Dramas"]
        assert title.maturity_rating == MaturityRating(system="mpaa", value="PG-13")
        assert (title.release_year, title.runtime_s, title.average_rating) == (1999, 5400, 3.5)


def test_one_child_and_many_children_read_alike_in_json() -> None:
    one = el(
        "catalog_titles",
        None,
        el("number_of_results", 1),
        el("start_index", 0),
        el("results_per_page", 1),
        _title_node("api.netflix.com", 1),
    )
    many = el(
        "catalog_titles",
        None,
        el("number_of_results", 2),
        el("start_index", 0),
        el("results_per_page", 2),
        _title_node("api.netflix.com", 1),
        _title_node("api.netflix.com", 2),
    )
    for doc in rendered_both(one):
        assert [t.id for t in titles.title_page(doc, ref_base=BASE, page_size=25).items] == [
            "movies/1"
        ]
    for doc in rendered_both(many):
        assert [t.id for t in titles.title_page(doc, ref_base=BASE, page_size=25).items] == [
            "movies/1",
            "movies/2",
        ]


def test_json_numbers_and_string_scalars_give_equal_models() -> None:
    strings = (
        b'{"catalog_title": {"id": "http://api.netflix.com/catalog/titles/movies/9",'
        b' "title": {"regular": "Nine", "short": "9"}, "release_year": "2001",'
        b' "runtime": "600", "average_rating": "4.0"}}'
    )
    numbers = (
        b'{"catalog_title": {"id": "http://api.netflix.com/catalog/titles/movies/9",'
        b' "title": {"regular": "Nine", "short": "9"}, "release_year": 2001,'
        b' "runtime": 600, "average_rating": 4}}'
    )
    a = titles.title_document(parse_json(strings, max_bytes=LIMIT), ref_base=BASE)
    b = titles.title_document(parse_json(numbers, max_bytes=LIMIT), ref_base=BASE)
    assert a == b
    assert (a.release_year, a.runtime_s, a.average_rating) == (2001, 600, 4.0)


def test_missing_optional_fields_are_null_or_empty() -> None:
    bare = el(
        "catalog_title",
        None,
        el("id", "http://api.netflix.com/catalog/titles/discs/4"),
        el("title", regular="Disc 1"),
    )
    for doc in rendered_both(bare):
        title = titles.title_document(doc, ref_base=BASE)
        assert title.kind is TitleKind.DISC
        assert (title.release_year, title.runtime_s, title.average_rating) == (None, None, None)
        assert title.box_art == {} and title.genres == [] and title.formats is None
        assert title.maturity_rating is None and title.synopsis_html is None
        assert title.short_title == "Disc 1"


def test_numbers_read_through_whitespace_decimals_and_junk() -> None:
    node = el(
        "catalog_title",
        None,
        el("id", " http://api.netflix.com/catalog/titles/series/4/seasons/5 "),
        el("title", regular="Season 1"),
        el("release_year", " 1999\n"),
        el("runtime", "5400.0"),
        el("average_rating", "\t3.5 "),
        el("predicted_rating", "about 4"),
        el("season_number", " "),
    )
    for doc in rendered_both(node):
        title = titles.title_document(doc, ref_base=BASE)
        assert (title.id, title.kind) == ("series/4/seasons/5", TitleKind.SEASON)
        assert (title.release_year, title.runtime_s, title.average_rating) == (1999, 5400, 3.5)
        assert (title.predicted_rating, title.season_number) == (None, None)


def test_empty_page_has_no_next() -> None:
    node = el(
        "catalog_titles",
        None,
        el("number_of_results", 0),
        el("start_index", 0),
        el("results_per_page", 25),
    )
    for doc in rendered_both(node):
        page = titles.title_page(doc, ref_base=BASE, page_size=25)
        assert (page.items, page.total, page.next) == ([], 0, None)


def test_a_title_without_a_catalog_ref_is_a_bad_upstream() -> None:
    for doc in rendered_both(
        el("catalog_title", None, el("id", "http://x/users/1"), el("title", regular="?"))
    ):
        with pytest.raises(BadUpstream):
            titles.title(doc, ref_base=BASE)


def test_wrong_root_is_a_bad_upstream() -> None:
    for doc in rendered_both(el("people", None)):
        with pytest.raises(BadUpstream):
            titles.title_page(doc, ref_base=BASE, page_size=25)


def test_expanded_parts_read_from_both_formats() -> None:
    base = "http://api.netflix.com/catalog/titles/series/70136120/seasons/70136130"
    node = _title_node(
        "api-public.netflix.com",
        70136130,
        el(
            "link",
            None,
            el("synopsis", "<b>Bold</b> &amp; <i>true</i>", cdata=True),
            href=f"{base}/synopsis",
            rel=f"{SCHEMAS}/catalog/titles/synopsis",
            title="synopsis",
        ),
        el(
            "link",
            None,
            el(
                "people",
                None,
                el(
                    "link",
                    href="http://api.netflix.com/catalog/people/42",
                    rel=f"{SCHEMAS}/catalog/person",
                    title="Ann Actor",
                ),
            ),
            href=f"{base}/cast",
            rel=f"{SCHEMAS}/catalog/people.cast",
            title="cast",
        ),
        el(
            "link",
            None,
            el(
                "delivery_formats",
                None,
                el(
                    "availability",
                    None,
                    el(
                        "category",
                        scheme="http://api-public.netflix.com/categories/title_formats",
                        label="instant",
                        term="instant",
                    ),
                    available_from=0,
                ),
            ),
            href=f"{base}/format_availability",
            rel=f"{SCHEMAS}/catalog/titles/format_availability",
            title="formats",
        ),
        el(
            "link",
            None,
            el(
                "screen_formats",
                None,
                el(
                    "screen_format",
                    None,
                    el(
                        "category",
                        scheme="http://api.netflix.com/categories/title_formats",
                        label="DVD",
                    ),
                    el(
                        "category",
                        scheme="http://api.netflix.com/categories/screen_formats",
                        label="Widescreen 2.35:1",
                    ),
                ),
            ),
            href=f"{base}/screen_formats",
            rel=f"{SCHEMAS}/catalog/titles/screen_formats",
            title="screen formats",
        ),
        el(
            "link",
            None,
            el(
                "languages_and_audio",
                None,
                el(
                    "language_audio_format",
                    None,
                    el(
                        "category",
                        scheme="http://api.netflix.com/categories/languages",
                        label="English",
                    ),
                    el(
                        "category",
                        scheme="http://api.netflix.com/categories/audio_formats",
                        label="Dolby Digital 5.1",
                    ),
                ),
            ),
            href=f"{base}/languages_and_audio",
            rel=f"{SCHEMAS}/catalog/titles/languages_and_audio",
            title="languages and audio",
        ),
        el(
            "link",
            None,
            el(
                "awards",
                None,
                el(
                    "award_winner",
                    None,
                    el(
                        "category",
                        scheme="http://api.netflix.com/categories/award_types/emmy_awards",
                        label="Best Drama",
                    ),
                    year=2010,
                ),
            ),
            href=f"{base}/awards",
            rel=f"{SCHEMAS}/catalog/titles/awards",
            title="awards",
        ),
        el(
            "link",
            href="http://api.netflix.com/catalog/titles/series/70136120",
            rel=f"{SCHEMAS}/catalog/titles.series",
            title="The Show",
        ),
        el(
            "link",
            None,
            el("catalog_titles", None, el("number_of_results", 0)),
            href=f"{base}/episodes",
            rel=f"{SCHEMAS}/catalog/titles.programs",
            title="episodes",
        ),
        kind="series/70136120/seasons",
    )
    xml_doc, json_doc = rendered_both(node)
    from_xml = titles.title(xml_doc, ref_base=BASE)
    assert titles.title(json_doc, ref_base=BASE) == from_xml
    assert from_xml.kind is TitleKind.SEASON
    assert from_xml.series is not None and from_xml.series.id == "series/70136120"
    assert from_xml.synopsis_html == "<b>Bold</b> &amp; <i>true</i>"
    assert from_xml.synopsis_text == "Bold & true"
    assert from_xml.cast_members is not None and from_xml.cast_members[0].id == "people/42"
    assert from_xml.directors is None
    assert from_xml.availability == [
        Availability(format="instant", available_from=datetime(1970, 1, 1, tzinfo=UTC))
    ]
    assert from_xml.formats == ["instant"]
    assert from_xml.screen_formats is not None
    assert from_xml.screen_formats[0].screen_format == "Widescreen 2.35:1"
    assert from_xml.languages is not None
    assert from_xml.languages[0].audio == ["Dolby Digital 5.1"]
    assert from_xml.awards is not None
    assert (from_xml.awards[0].name, from_xml.awards[0].won) == ("Emmy Awards", True)
    assert from_xml.episodes == []
    assert from_xml.similars is None


def test_a_title_named_by_its_links_with_box_art_links_and_parents() -> None:
    base = "http://api.netflix.com/catalog/titles"
    node = el(
        "catalog_title",
        None,
        el("title", short="Ep"),
        el("link", href=f"{base}/programs/7", rel=f"{SCHEMAS}/catalog/title", title="Ep"),
        el("link", href=f"{base}/series/5", rel=f"{SCHEMAS}/catalog/titles.series", title="S"),
        el("link", href=f"{base}/programs/7", rel=f"{SCHEMAS}/catalog/titles.season"),
        el("box_art", None, el("link", href="http://img/b.jpg", rel=f"{SCHEMAS}/box_art/150")),
        el("link", href="http://img/t.jpg", rel=f" {SCHEMAS}/catalog/titles/box_art/88 "),
        el("link", href=f"{base}/programs/7/cast", rel=f"{SCHEMAS}/catalog/people.cast"),
    )
    for doc in rendered_both(node):
        title = titles.title(doc, ref_base=BASE)
        assert (title.id, title.title, title.short_title) == ("programs/7", "Ep", "Ep")
        assert title.series is not None and title.series.id == "series/5"
        assert title.series.title == "S"
        assert title.season is None  # a link to the title itself names no parent
        assert title.box_art == {"150": "http://img/b.jpg", "88": "http://img/t.jpg"}
        assert title.cast_members is None  # linked, not expanded


def test_an_expanded_cast_of_one_unwrapped_person() -> None:
    base = "http://api.netflix.com/catalog"
    node = el(
        "catalog_title",
        None,
        el("id", f"{base}/titles/movies/3"),
        el(
            "link",
            None,
            el("link", href=f"{base}/people/11", rel=f"{SCHEMAS}/catalog/person", title="Al"),
            href=f"{base}/titles/movies/3/cast",
            rel=f"{SCHEMAS}/catalog/people.cast",
        ),
    )
    for doc in rendered_both(node):
        title = titles.title(doc, ref_base=BASE)
        assert [(p.id, p.name) for p in title.cast_members or []] == [("people/11", "Al")]
        assert title.directors is None


def test_a_title_without_any_reference_is_refused() -> None:
    node = el("catalog_title", None, el("title", regular="Nothing"))
    for doc in rendered_both(node):
        with pytest.raises(BadUpstream, match="without a catalog title reference"):
            titles.title(doc, ref_base=BASE)
