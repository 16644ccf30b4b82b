"""Node trees for the subscriber documents: user, current-user link, feeds, queue lists.

Ids and links use the configured public base as host, while `rel` values stay
`http://schemas.netflix.com/...`, like the live API wrote them.
"""

from __future__ import annotations

from urllib.parse import urlencode

from emulator.accounts.state import Subscriber
from emulator.catalog.data import Catalog, Title
from emulator.catalog.render import catalog_title_children
from emulator.document import Node, el

SCHEMAS = "http://schemas.netflix.com"
# `/users/current` answers a `resource` document holding one link to the subscriber; the
# reference could not pin the rel value, so the emulator uses this one throughout.
CURRENT_USER_REL = f"{SCHEMAS}/user.current"

_USER_LINKS = (
    ("queues", "queues", "queues"),
    ("rental_history", "rental_history", "rental history"),
    ("recommendations", "recommendations", "recommendations"),
    ("title_states", "title_states", "title states"),
    ("ratings", "ratings", "ratings"),
    ("reviews", "reviews", "reviews"),
    ("at_home", "at_home", "at home"),
    ("feeds", "feeds", "feeds"),
)
# (path under the user, rel suffix, title) of each feed a subscriber can subscribe to.
FEEDS = (
    ("queues/disc/available", "feed.queues.disc", "Disc Queue"),
    ("queues/instant/available", "feed.queues.instant", "Instant Queue"),
    ("at_home", "feed.at_home", "Discs At Home"),
    ("rental_history/shipped", "feed.rental_history.shipped", "Recently Shipped"),
    ("rental_history/returned", "feed.rental_history.returned", "Recently Returned"),
    ("rental_history/watched", "feed.rental_history.watched", "Recently Watched"),
    ("recommendations", "feed.recommendations", "Recommendations"),
    ("ratings/title/actual", "feed.ratings", "Ratings"),
)


def user_base(public_base: str, user_id: str) -> str:
    """`{public_base}/users/{user_id}`, the prefix of every id in a subscriber's documents."""
    return f"{public_base}/users/{user_id}"


def link(href: str, rel: str, title: str) -> Node:
    """A `<link href rel title/>` element in Netflix's attribute order."""
    return el("link", href=href, rel=rel, title=title)


def category(scheme: str, term: str, content: str | None = None) -> Node:
    """A `<category scheme label term>` element; `content` is its optional display text."""
    return el("category", content, scheme=scheme, label=term, term=term)


def current_user_document(public_base: str, subscriber: Subscriber) -> Node:
    """What `/users/current` answers: a link to the subscriber, not the record itself."""
    name = f"{subscriber.first_name} {subscriber.last_name}"
    return el(
        "resource", None, link(user_base(public_base, subscriber.user_id), CURRENT_USER_REL, name)
    )


def user_document(public_base: str, subscriber: Subscriber) -> Node:
    """The `user` document: profile, preferences and links to every user resource."""
    base = user_base(public_base, subscriber.user_id)
    formats = f"{public_base}/categories/title_formats"
    maturity = str(subscriber.max_maturity_level)
    return el(
        "user",
        None,
        el("user_id", subscriber.user_id),
        el("first_name", subscriber.first_name),
        el("last_name", subscriber.last_name),
        el("nickname", subscriber.nickname),
        el("can_instant_watch", "true" if subscriber.can_instant_watch else "false"),
        el(
            "max_maturity_level",
            None,
            el(
                "category",
                scheme=f"{public_base}/categories/maturity_level",
                label=maturity,
                term=maturity,
            ),
        ),
        el(
            "preferred_formats", None, *(category(formats, f) for f in subscriber.preferred_formats)
        ),
        *(link(f"{base}/{path}", f"{SCHEMAS}/{rel}", title) for path, rel, title in _USER_LINKS),
    )


def feeds_document(public_base: str, subscriber: Subscriber, consumer_key: str) -> Node:
    """`/users/{id}/feeds`: one link per Atom feed, each carrying the subscriber's feed token."""
    base = user_base(public_base, subscriber.user_id)
    query = urlencode(
        {"feed_token": subscriber.feed_token, "oauth_consumer_key": consumer_key, "output": "atom"}
    )
    return el(
        "resource",
        None,
        *(link(f"{base}/{path}?{query}", f"{SCHEMAS}/{rel}", title) for path, rel, title in FEEDS),
    )


def queues_document(public_base: str, subscriber: Subscriber) -> Node:
    """`/users/{id}/queues`: links to the disc and instant queues."""
    base = user_base(public_base, subscriber.user_id)
    return el(
        "queues",
        None,
        link(f"{base}/queues/disc", f"{SCHEMAS}/queues.disc", "disc queue"),
        link(f"{base}/queues/instant", f"{SCHEMAS}/queues.instant", "instant queue"),
    )


def title_item(
    tag: str,
    catalog: Catalog,
    title: Title,
    item_id: str | None,
    before: list[Node] | None = None,
    after: list[Node] | None = None,
    *,
    expand: frozenset[str] = frozenset(),
) -> Node:
    """A catalog-title-like item: its own `id`, `before` nodes, a link to the catalog title,
    the catalog title's children (minus its id, with `expand` applied; a series with its
    runtime, as subscriber lists showed), then `after` nodes."""
    children = catalog_title_children(
        catalog, title, expand=expand, include_id=False, series_runtime=True
    )
    node = el(tag)
    if item_id is not None:
        node.add(el("id", item_id))
    node.extend(before or [])
    node.add(link(title.ref, f"{SCHEMAS}/catalog/title", title.title))
    node.extend(children)
    node.extend(after or [])
    return node
