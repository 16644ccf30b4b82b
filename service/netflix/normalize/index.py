"""Items of the full catalog index (`title_index_item`), read one at a time while streaming."""

from __future__ import annotations

from service.netflix.document import Doc
from service.netflix.normalize.common import categories, labels, maturity, to_int
from service.netflix.normalize.members import title_ref_of
from service.netflix.normalize.parts import availability
from service.netflix.normalize.people import person_id, person_ref
from service.schemas.people import PersonRef
from service.schemas.titles import IndexTitle


def index_title(doc: Doc, *, ref_base: str) -> IndexTitle:
    """One `title_index_item`: id, title text, genres, rating, availability, actors."""
    ref = title_ref_of(doc)
    node = doc.child("title")
    name = ""
    if node is not None:
        name = (node.attr("regular") or node.attr("short") or node.text()).strip()
    cats = categories(doc)
    cast_members: list[PersonRef] = []
    for link in doc.children("link"):
        if not (link.attr("rel") or "").endswith("/catalog/person.actor"):
            continue
        pid = person_id(link.attr("href"))
        if pid is not None:
            cast_members.append(person_ref(pid, link.attr("title"), ref_base=ref_base))
    delivery = doc.child("delivery_formats")
    return IndexTitle(
        id=ref.short,
        ref=ref.url(ref_base),
        kind=ref.title_kind,
        title=name,
        release_year=to_int(doc.child_text("release_year")),
        genres=labels(cats, "genres"),
        maturity_rating=maturity(cats),
        availability=availability(delivery) if delivery is not None else [],
        cast_members=cast_members,
    )
