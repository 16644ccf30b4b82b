"""People normalizers: recorded cast/directors documents and hand-written filmographies."""

from __future__ import annotations

from pathlib import Path

import pytest

from emulator.document import Node, el, render_json, render_xml
from service.errors import BadUpstream
from service.netflix.document import Doc
from service.netflix.netflix_json import parse_json
from service.netflix.normalize import people
from service.netflix.xml import parse_xml

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "netflix-samples"
BASE = "http://api-public.netflix.com"
LIMIT = 10_000_000


def _sample(*parts: str) -> Doc:
    path = SAMPLES.joinpath(*parts)
    if not path.is_file():
        pytest.skip(f"recorded sample {'/'.join(parts)} is not present")
    return parse_xml(path.read_bytes(), max_bytes=LIMIT)


def _both(node: Node) -> tuple[Doc, Doc]:
    return (
        parse_xml(render_xml(node), max_bytes=LIMIT),
        parse_json(render_json(node), max_bytes=LIMIT),
    )


def test_recorded_cast_document() -> None:
    page = people.people_page(_sample("people", "cast-jaws-flix4r.xml"), ref_base=BASE)
    scheider = page.items[0]
    assert (scheider.id, scheider.name) == (82729, "Roy Scheider")
    assert scheider.ref == f"{BASE}/catalog/people/82729"
    assert scheider.bio_html is not None and "<p>" in scheider.bio_html
    assert scheider.bio_text is not None and "<p>" not in scheider.bio_text
    assert 'Romeo and Juliet." Between 1962' in scheider.bio_text
    assert scheider.web_page == "http://www.netflix.com/RoleDisplay/Roy_Scheider/82729"
    assert scheider.filmography is None  # only linked, not expanded
    assert page.total == len(page.items) and page.next is None


def test_recorded_directors_document() -> None:
    page = people.people_page(_sample("people", "directors-jaws-flix4r.xml"), ref_base=BASE)
    assert [p.name for p in page.items] == ["Steven Spielberg"]


def _person(*extra: Node) -> Node:
    return el(
        "person",
        None,
        el("id", "http://api.netflix.com/catalog/people/7"),
        el("name", "Ann Actor"),
        *extra,
    )


def test_person_without_bio_or_filmography() -> None:
    for doc in _both(_person()):
        person = people.person_document(doc, ref_base=BASE)
        assert (person.id, person.name, person.bio_html, person.filmography) == (
            7,
            "Ann Actor",
            None,
            None,
        )


def test_expanded_filmography_with_one_and_with_many_titles() -> None:
    def film(*ids: int) -> Node:
        items = [
            el(
                "filmography_item",
                None,
                el("id", f"http://api-public.netflix.com/catalog/titles/movies/{i}"),
                el("title", regular=f"Film {i}", short=f"F{i}"),
            )
            for i in ids
        ]
        return _person(
            el(
                "link",
                None,
                el("filmography", None, el("number_of_results", len(ids)), *items),
                href="http://api.netflix.com/catalog/people/7/filmography",
                rel="http://schemas.netflix.com/catalog/titles.filmography",
                title="filmography",
            )
        )

    for doc in _both(film(1)):
        person = people.person_document(doc, ref_base=BASE)
        assert person.filmography is not None
        assert [(f.id, f.title) for f in person.filmography] == [("movies/1", "Film 1")]
    for doc in _both(film(1, 2)):
        person = people.person_document(doc, ref_base=BASE)
        assert person.filmography is not None and len(person.filmography) == 2
    for doc in _both(film()):
        assert people.person_document(doc, ref_base=BASE).filmography == []


def test_person_without_id_is_a_bad_upstream() -> None:
    for doc in _both(el("person", None, el("name", "Nobody"))):
        with pytest.raises(BadUpstream):
            people.person_document(doc, ref_base=BASE)
