"""People: search pages, a person with bio and filmography, and person refs inside titles."""

from __future__ import annotations

import re

from service.errors import BadUpstream
from service.limits import ID_REGEX
from service.netflix.document import Doc
from service.netflix.normalize.common import expect_root, first_link, html_to_text, to_page
from service.netflix.refs import TitleRef
from service.schemas.people import FilmographyEntry, Person, PersonPage, PersonRef

_PERSON_PATH = re.compile(rf"/catalog/people/({ID_REGEX})/?$")


def person_id(url: str | None) -> int | None:
    """The numeric id at the end of a `/catalog/people/{id}` URL."""
    if not url:
        return None
    match = _PERSON_PATH.search(url.strip().split("?", 1)[0])
    return int(match.group(1)) if match else None


def person_url(ref_base: str, pid: int) -> str:
    """The canonical URL of a person against the configured ref base."""
    return f"{ref_base.rstrip('/')}/catalog/people/{pid}"


def person_short_id(pid: int) -> str:
    """A person's id as clients see it: `people/30001`, as titles are `movies/60020435`."""
    return f"people/{pid}"


def person_ref(pid: int, name: str | None, *, ref_base: str) -> PersonRef:
    """A person named by a title, an award or the index."""
    return PersonRef(id=person_short_id(pid), ref=person_url(ref_base, pid), name=name or "")


def person_refs(container: Doc, *, ref_base: str) -> list[PersonRef]:
    """People listed in an expanded cast/directors link: `person` elements or `link`s."""
    found: list[PersonRef] = []
    for node in container.children():
        if node.tag == "person":
            pid = person_id(node.child_text("id"))
            name = node.child_text("name")
        elif node.tag == "link":
            pid = person_id(node.attr("href"))
            name = node.attr("title")
        else:
            continue
        if pid is not None:
            found.append(person_ref(pid, name, ref_base=ref_base))
    return found


def _filmography(doc: Doc, ref_base: str) -> list[FilmographyEntry] | None:
    link = first_link(doc, "titles.filmography")
    holder = doc.child("filmography")
    if holder is None and link is not None:
        holder = link.child("filmography")
    if holder is None:
        return None
    entries: list[FilmographyEntry] = []
    for item in holder.children():
        url = item.attr("href") if item.tag == "link" else item.child_text("id")
        ref = TitleRef.from_upstream(url or "")
        if ref is None:
            title_link = first_link(item, "catalog/title")
            ref = TitleRef.from_upstream(title_link.attr("href") or "") if title_link else None
        if ref is None:
            continue
        entries.append(
            FilmographyEntry(id=ref.short, ref=ref.url(ref_base), title=_title_name(item))
        )
    return entries


def _title_name(item: Doc) -> str | None:
    if item.tag == "link":
        return item.attr("title")
    node = item.child("title")
    if node is None:
        return None
    return node.attr("regular") or node.text().strip() or None


def person(doc: Doc, *, ref_base: str) -> Person:
    """A `person` element (search result or `/catalog/people/{id}` answer)."""
    pid = person_id(doc.child_text("id"))
    if pid is None:
        raise BadUpstream("a person without an id")
    bio = doc.child_text("bio")
    web = first_link(doc, "alternate")
    filmography = _filmography(doc, ref_base)
    return Person(
        id=person_short_id(pid),
        ref=person_url(ref_base, pid),
        name=doc.child_text("name") or "",
        bio_html=bio,
        bio_text=html_to_text(bio) if bio else None,
        web_page=web.attr("href") if web else None,
        filmography=filmography,
    )


def person_document(doc: Doc, *, ref_base: str) -> Person:
    """`/catalog/people/{id}`: a `person` root."""
    expect_root(doc, "person")
    return person(doc, ref_base=ref_base)


def people_page(doc: Doc, *, ref_base: str, page_size: int) -> PersonPage:
    """`/catalog/people?term=`: a `people` root holding `person` elements."""
    expect_root(doc, "people")
    items = [person(node, ref_base=ref_base) for node in doc.children("person")]
    return to_page(PersonPage, doc, items, page_size=page_size)
