"""Ratings: `ratings` documents (actual, predicted, or either) and rating ids for updates."""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.netflix.document import Doc
from service.netflix.normalize.common import expect_root, first_link, links, to_float
from service.netflix.normalize.members import title_ref_of
from service.schemas.ratings import Rating

_RATING_ID = re.compile(r"/ratings/title/actual/([A-Za-z0-9._~-]{1,64})/?$")
_NOT_INTERESTED = frozenset({"not_interested", "not interested"})


@dataclass(frozen=True, slots=True)
class RatedTitle:
    """A rating plus the upstream id of the subscriber's own rating (needed to update it)."""

    rating: Rating
    rating_id: str | None


def _rating_id(item: Doc) -> str | None:
    candidates = [item.child_text("id") or ""]
    candidates += [link.attr("href") or "" for link in links(item, "ratings.actual")]
    candidates += [link.attr("href") or "" for link in item.children("link")]
    for url in candidates:
        match = _RATING_ID.search(url.split("?", 1)[0])
        if match:
            return match.group(1)
    return None


def rated_title(item: Doc, *, ref_base: str) -> RatedTitle:
    """One `ratings_item`."""
    ref = title_ref_of(item)
    raw_user = item.child_text("user_rating")
    not_interested = raw_user is not None and raw_user.lower() in _NOT_INTERESTED
    node = item.child("title")
    name = None
    if node is not None:
        name = node.attr("regular") or node.attr("short") or node.text().strip() or None
    if name is None:
        link = first_link(item, "catalog/title")
        name = link.attr("title") if link is not None else None
    rating = Rating(
        id=ref.short,
        ref=ref.url(ref_base),
        title=name,
        average_rating=to_float(item.child_text("average_rating")),
        predicted_rating=to_float(item.child_text("predicted_rating")),
        user_rating=None if not_interested else to_float(raw_user),
        not_interested=not_interested,
    )
    return RatedTitle(rating, _rating_id(item))


def ratings(doc: Doc, *, ref_base: str) -> list[RatedTitle]:
    """A `ratings` document, in upstream order."""
    expect_root(doc, "ratings")
    return [rated_title(item, ref_base=ref_base) for item in doc.children("ratings_item")]
