"""Rental history and titles at home.

Each item is read into plain fields in `RentalEntry`'s order (the title by
`title_fields`): `dump_json` writes them as the models would, with no model on the way.
"""

from __future__ import annotations

from service.netflix.document import Doc, Node
from service.netflix.normalize.common import epoch, expect_root, page_fields, to_int
from service.netflix.normalize.title_fields import Fields, title_fields
from service.schemas.rentals import RentalEntry, RentalPage

# The dates of a rental item, by tag, as `RentalEntry` fields.
_DATES = {
    "shipped_date": "shipped_at",
    "returned_date": "returned_at",
    "watched_date": "watched_at",
    "estimated_arrival_date": "estimated_arrival_at",
}
_VIEWED = "viewed_time"


def rental_entry_fields(node: Node, *, ref_base: str) -> Fields:
    """A `rental_history_item` or `at_home_item` as `RentalEntry` fields."""
    own: dict[str, str | None] = {}
    for child in node:
        tag = child.tag
        if (tag in _DATES or tag == _VIEWED) and tag not in own:
            own[tag] = (child.text or "").strip() or None
    fields: Fields = {"title": title_fields(node, ref_base=ref_base)}
    for tag, name in _DATES.items():
        fields[name] = epoch(own.get(tag))
    fields["viewed_time_s"] = to_int(own.get(_VIEWED))
    return fields


def _items(doc: Doc, tag: str, ref_base: str) -> list[Fields]:
    return [rental_entry_fields(n, ref_base=ref_base) for n in doc.node() if n.tag == tag]


def rental_page_fields(doc: Doc, *, ref_base: str, page_size: int) -> Fields:
    """`/users/{id}/rental_history[/kind]` as `RentalPage` fields."""
    expect_root(doc, "rental_history")
    items = _items(doc, "rental_history_item", ref_base)
    return page_fields(doc, items, page_size=page_size)


def rental_page(doc: Doc, *, ref_base: str, page_size: int) -> RentalPage:
    """`/users/{id}/rental_history[/kind]` as a model."""
    return RentalPage.model_validate(
        rental_page_fields(doc, ref_base=ref_base, page_size=page_size)
    )


def at_home_fields(doc: Doc, *, ref_base: str) -> list[Fields]:
    """`/users/{id}/at_home`: discs currently with the subscriber, as `RentalEntry` fields."""
    expect_root(doc, "at_home")
    return _items(doc, "at_home_item", ref_base)


def at_home(doc: Doc, *, ref_base: str) -> list[RentalEntry]:
    """`/users/{id}/at_home` as models."""
    return [RentalEntry.model_validate(f) for f in at_home_fields(doc, ref_base=ref_base)]
