"""The subscriber: `users/current`, the profile, feeds and title states."""

from __future__ import annotations

import re
from typing import Any

from service.errors import BadUpstream
from service.netflix.document import Doc
from service.netflix.normalize.common import (
    categories,
    expect_root,
    first_link,
    format_labels,
    rel_is,
    title_actions,
    to_bool,
    to_int,
)
from service.netflix.normalize.members import title_ref_of
from service.netflix.refs import TitleRef
from service.schemas.queues import QueueType
from service.schemas.users import Feed, TitleState, TitleStateItem, User

_USER_PATH = re.compile(r"/users/([A-Za-z0-9._~-]{1,128})/?$")


def current_user_id(doc: Doc) -> str:
    """`/users/current`: a link to `/users/{id}` (or, from some hosts, a `user_id`)."""
    direct = doc.child_text("user_id")
    if direct:
        return direct
    for link in doc.descendants("link"):
        match = _USER_PATH.search((link.attr("href") or "").split("?", 1)[0])
        if match:
            return match.group(1)
    raise BadUpstream("the upstream did not say who the current user is")


def user_fields(doc: Doc) -> dict[str, Any]:
    """A `user` document as `User` fields, in its field order."""
    expect_root(doc, "user")
    user_id = doc.child_text("user_id")
    if not user_id:
        raise BadUpstream("a user document without user_id")
    preferred = doc.child("preferred_formats")
    maturity = doc.child("max_maturity_level")
    level = None
    if maturity is not None:
        cats = categories(maturity)
        level = to_int(cats[0].label) if cats else to_int(maturity.text())
    return {
        "user_id": user_id,
        "first_name": doc.child_text("first_name") or "",
        "last_name": doc.child_text("last_name") or "",
        "nickname": doc.child_text("nickname"),
        "can_instant_watch": bool(to_bool(doc.child_text("can_instant_watch"))),
        "preferred_formats": format_labels(categories(preferred)) if preferred else [],
        "max_maturity_level": level,
    }


def user(doc: Doc) -> User:
    """A `user` document as a model."""
    return User.model_validate(user_fields(doc))


def feeds(doc: Doc) -> list[Feed]:
    """`/users/{id}/feeds`: one link per feed."""
    found: list[Feed] = []
    for link in doc.children("link"):
        href = link.attr("href")
        if href:
            found.append(Feed(name=link.attr("title") or "", rel=link.attr("rel") or "", url=href))
    return found


def _queue_of(item: Doc) -> QueueType | None:
    for link in item.children("link"):
        rel = link.attr("rel")
        if rel_is(rel, "queues.instant"):
            return QueueType.INSTANT
        if rel_is(rel, "queues.disc"):
            return QueueType.DISC
    return None


def _state_item(item: Doc) -> TitleStateItem:
    holders = [item, *item.children("format")]
    cats = [c for holder in holders for c in categories(holder)]
    preferred = any(to_bool(h.child_text("preferred_format")) for h in holders)
    formats = format_labels(cats)
    return TitleStateItem(
        queue=_queue_of(item),
        format=formats[0] if formats else None,
        preferred=preferred,
        states=title_actions(cats),
    )


def title_states(doc: Doc, *, ref_base: str) -> list[TitleState]:
    """`/users/{id}/title_states`: per title, what the subscriber can do in each format."""
    expect_root(doc, "title_states")
    found: list[TitleState] = []
    for node in doc.children("title_state"):
        link = first_link(node, "catalog/title")
        ref = TitleRef.from_upstream(link.attr("href") or "") if link else title_ref_of(node)
        if ref is None:
            raise BadUpstream("a title_state without a title")
        found.append(
            TitleState(
                id=ref.short,
                ref=ref.url(ref_base),
                items=[_state_item(i) for i in node.children("title_state_item")],
            )
        )
    return found
