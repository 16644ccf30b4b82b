"""Items of the full catalog index (`title_index_item`), read one at a time while streaming.

The index is every title of the catalog, so each item is read in one pass over its children
(lxml's iteration, no view object per child) into `IndexTitle` fields that `dump_json` writes.
"""

from __future__ import annotations

from typing import Any

from service.errors import BadUpstream
from service.netflix.document import Node
from service.netflix.normalize.common import genres_and_rating, rel_is, to_int
from service.netflix.normalize.parts import availability
from service.netflix.normalize.people import person_id, person_short_id, person_url
from service.netflix.refs import TitleRef

ACTOR_REL = "/catalog/person.actor"


def index_fields(node: Node, *, ref_base: str) -> dict[str, Any]:
    """One `title_index_item` as `IndexTitle` fields: id, title text, genres, rating,
    availability, actors."""
    own: dict[str, Node] = {}
    cats: list[Node] = []
    links: list[Node] = []
    for child in node:
        tag = child.tag
        if tag == "category":
            cats.append(child)
        elif tag == "link":
            links.append(child)
        elif tag not in own:
            own[tag] = child
    ref = _ref(own.get("id"), links)
    names = own.get("title")
    name = ""
    if names is not None:
        name = (names.get("regular") or names.get("short") or names.text or "").strip()
    genres, rating = genres_and_rating(cats)
    cast_members = []
    for link in links:
        if not (link.get("rel") or "").endswith(ACTOR_REL):
            continue
        pid = person_id(link.get("href"))
        if pid is not None:
            cast_members.append(
                {
                    "id": person_short_id(pid),
                    "ref": person_url(ref_base, pid),
                    "name": link.get("title") or "",
                }
            )
    delivery = own.get("delivery_formats")
    year = own.get("release_year")
    return {
        "id": ref.short,
        "ref": ref.url(ref_base),
        "kind": ref.title_kind,
        "title": name,
        "release_year": to_int((year.text or "").strip() or None) if year is not None else None,
        "genres": genres,
        "maturity_rating": rating,
        "availability": availability(delivery) if delivery is not None else [],
        "cast_members": cast_members,
    }


def _ref(id_node: Node | None, links: list[Node]) -> TitleRef:
    """The item's title ref: its `id`, else its `catalog/title` (or `id`) link."""
    ref = TitleRef.from_upstream((id_node.text or "").strip() if id_node is not None else "")
    if ref is None:
        link = _first(links, "catalog/title")
        link = _first(links, "id") if link is None else link
        ref = TitleRef.from_upstream(link.get("href") or "") if link is not None else None
    if ref is None:
        raise BadUpstream("a title_index_item without a catalog title reference")
    return ref


def _first(links: list[Node], suffix: str) -> Node | None:
    """The first link whose rel names `suffix` (`rel_is`)."""
    return next((link for link in links if rel_is(link.get("rel"), suffix)), None)
