"""Rental history and titles at home."""

from __future__ import annotations

from service.netflix.document import Doc
from service.netflix.normalize.common import epoch, expect_root, to_int, to_page
from service.netflix.normalize.titles import title
from service.schemas.rentals import RentalEntry, RentalPage


def rental_entry(doc: Doc, *, ref_base: str) -> RentalEntry:
    """A `rental_history_item` or `at_home_item`."""
    return RentalEntry(
        title=title(doc, ref_base=ref_base),
        shipped_at=epoch(doc.child_text("shipped_date")),
        returned_at=epoch(doc.child_text("returned_date")),
        watched_at=epoch(doc.child_text("watched_date")),
        estimated_arrival_at=epoch(doc.child_text("estimated_arrival_date")),
        viewed_time_s=to_int(doc.child_text("viewed_time")),
    )


def rental_page(doc: Doc, *, ref_base: str, page_size: int) -> RentalPage:
    """`/users/{id}/rental_history[/kind]`."""
    expect_root(doc, "rental_history")
    items = [rental_entry(n, ref_base=ref_base) for n in doc.children("rental_history_item")]
    return to_page(RentalPage, doc, items, page_size=page_size)


def at_home(doc: Doc, *, ref_base: str) -> list[RentalEntry]:
    """`/users/{id}/at_home`: discs currently with the subscriber."""
    expect_root(doc, "at_home")
    return [rental_entry(n, ref_base=ref_base) for n in doc.children("at_home_item")]
