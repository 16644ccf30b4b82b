"""Atom feeds of a subscriber's lists, opened by the feed token instead of an OAuth signature.

`/users/{id}/feeds` hands out URLs such as `…/queues/disc/available?feed_token=…&
oauth_consumer_key=…&output=atom`: feed readers fetch them unsigned, so the token, the
consumer key and the user must agree, and only the advertised lists can be read this way.
"""

from __future__ import annotations

import hmac
from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import Response

from emulator.accounts.render import FEEDS, SCHEMAS
from emulator.accounts.state import Subscriber
from emulator.context import EmulatorContext
from emulator.document import Node, el, xml_fragment
from emulator.http import NetflixError

ATOM_MEDIA_TYPE = "application/atom+xml;charset=UTF-8"
_ATOM_NS = "http://www.w3.org/2005/Atom"
_ITEM_TAGS = frozenset(
    {"queue_item", "rental_history_item", "at_home_item", "recommendation", "ratings_item"}
)
_DATE_TAGS = ("updated", "shipped_date", "watched_date", "returned_date")
_FEED_FLAG = "netflix_feed"


def is_feed_request(request: Request) -> bool:
    """True when the caller presents a feed token rather than an OAuth signature."""
    return "feed_token" in request.query_params


def feed_subscriber(ctx: EmulatorContext, request: Request) -> Subscriber:
    """Check a feed request (401/403 with Netflix's feed messages) and mark it for Atom output."""
    query = request.query_params
    user_id = request.path_params["user_id"]
    suffix = request.url.path.split(f"/users/{user_id}/", 1)[-1].rstrip("/")
    if request.method != "GET" or suffix not in {path for path, _, _ in FEEDS}:
        raise NetflixError(401, "Token resource mismatch")
    if query.get("oauth_consumer_key") != ctx.config.consumer_key:
        raise NetflixError(401, "Token resource mismatch")
    token = query.get("feed_token", "")
    if len(token) != 40 or any(c not in "0123456789abcdef" for c in token):
        raise NetflixError(403, "Invalid feed token")
    subscriber = ctx.accounts.get(user_id)
    if subscriber is None:
        raise NetflixError(401, "User not found")
    if not hmac.compare_digest(token, subscriber.feed_token):
        raise NetflixError(401, "Bad feed token")
    if query.get("output", "atom") != "atom":
        raise NetflixError(400, "output is invalid")
    setattr(request.state, _FEED_FLAG, True)
    return subscriber


def wants_feed(request: Request) -> bool:
    """True once `feed_subscriber` accepted the request."""
    return bool(getattr(request.state, _FEED_FLAG, False))


def _rfc3339(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _entry(item: Node, fallback: int) -> Node:
    def child(tag: str) -> Node | None:
        return next((c for c in item.children if c.tag == tag), None)

    def link_href(rel: str) -> str | None:
        return next(
            (
                c.attrs.get("href")
                for c in item.children
                if c.tag == "link" and c.attrs.get("rel") == rel
            ),
            None,
        )

    name = child("title")
    catalog_ref = link_href(f"{SCHEMAS}/catalog/title")
    item_id = child("id")
    dates = [
        int(node.text)
        for node in map(child, _DATE_TAGS)
        if node is not None and node.text and node.text.isdigit()
    ]
    entry = el(
        "entry",
        None,
        el("title", name.attrs.get("regular", "") if name else ""),
        el("id", item_id.text if item_id is not None else catalog_ref),
        el("updated", _rfc3339(dates[0] if dates else fallback)),
    )
    web = link_href("alternate")
    if web:
        entry.add(el("link", rel="alternate", href=web, type="text/html"))
    if catalog_ref:
        entry.add(el("link", rel="related", href=catalog_ref))
    return entry


def atom_response(request: Request, subscriber: Subscriber, document: Node, now: int) -> Response:
    """An Atom rendering of a listing document (one entry per item)."""
    path = request.url.path.split(f"/users/{subscriber.user_id}/", 1)[-1].rstrip("/")
    title = next((t for p, _, t in FEEDS if p == path), "Feed")
    public = str(request.url.replace(query=""))
    feed = el(
        "feed",
        None,
        el("title", f"{title} of {subscriber.first_name} {subscriber.last_name}"),
        el("id", public),
        el("updated", _rfc3339(now)),
        el("link", rel="self", href=str(request.url)),
        el("author", None, el("name", "Netflix")),
        xmlns=_ATOM_NS,
    )
    feed.extend(_entry(item, now) for item in document.children if item.tag in _ITEM_TAGS)
    body = '<?xml version="1.0" encoding="UTF-8"?>\n' + xml_fragment(feed)
    return Response(body.encode(), 200, media_type=ATOM_MEDIA_TYPE)
