"""People normalizers: recorded cast/directors documents and hand-written filmographies."""

from __future__ import annotations

import pytest

from emulator.document import Node, el
from service.errors import BadUpstream
from service.netflix.normalize import people
from tests.support.samples import rendered_both, sample_doc

BASE = "http://api-public.netflix.com"


def test_recorded_cast_document() -> None:
    page = people.people_page(
        sample_doc("people", "cast-jaws-flix4r.xml"), ref_base=BASE, page_size=25
    )
    scheider = page.items[0]
    assert (scheider.id, scheider.name) == ("people/82729", "Roy Scheider")
    assert scheider.ref == f"{BASE}/catalog/people/82729"
    assert scheider.bio_html is not None and "<p>" in scheider.bio_html
    assert scheider.bio_text is not None and "<p>" not in scheider.bio_text
    assert 'Romeo and Juliet." Between 1962' in scheider.bio_text
    assert scheider.web_page == "http://www.netflix.com/RoleDisplay/Roy_Scheider/82729"
    assert scheider.filmography is None  # only linked, not expanded
    assert page.total == len(page.items) and page.next is None


def test_recorded_directors_document() -> None:
    page = people.people_page(
        sample_doc("people", "directors-jaws-flix4r.xml"), ref_base=BASE, page_size=25
    )
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
    for doc in rendered_both(_person()):
        person = people.person_document(doc, ref_base=BASE)
        assert (person.id, person.name, person.bio_html, person.filmography) == (
            "people/7",
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

    for doc in rendered_both(film(1)):
        person = people.person_document(doc, ref_base=BASE)
        assert person.filmography is not None
        assert [(f.id, f.title) for f in person.filmography] == [("movies/1", "Film 1")]
    for doc in rendered_both(film(1, 2)):
        person = people.person_document(doc, ref_base=BASE)
        assert person.filmography is not None and len(person.filmography) == 2
    for doc in rendered_both(film()):
        assert people.person_document(doc, ref_base=BASE).filmography == []


def test_person_without_id_is_a_bad_upstream() -> None:
    for doc in rendered_both(el("person", None, el("name", "Nobody"))):
        with pytest.raises(BadUpstream):
            people.person_document(doc, ref_base=BASE)
