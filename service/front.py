"""The front tier: answers repeated anonymous catalog GETs before FastAPI routing.

`FrontLayer` is a pure ASGI middleware. Most requests are answered by
`service.edge.CatalogEdge`, the outermost layer, through `front_lookup` and `FrontCache`;
`FrontLayer`, inside the request layers, answers the requests the edge leaves to them (CORS,
forwarded addresses, `HEAD`, `If-None-Match`).

For a GET or HEAD on a cacheable catalog path without credentials `front_lookup` parses the
raw path and query just enough to build the same cache key the routers build (both derive it
from the read's declaration in `service.catalog_reads`) and, when the in-process `FrontCache`
holds a fresh body for it, the tier answers at once with `X-Cache: HIT` and `Age`. Anything
it does not fully understand (unknown or repeated parameters it needs, bad values, other paths)
passes through untouched, so validation and errors stay with the routers. The cache is filled by
the catalog use cases, only with bodies that were answered as HIT or MISS; its short TTL keeps
replicas close to the shared Redis tier. HEAD is recognized as its GET; a hit carries the ETag
computed when its body was stored and answers If-None-Match and HEAD as `service.conditional`
does for routed answers (and `Link` on pages, `service.links`).

Each cacheable GET counts as a front-tier HIT or MISS in `Metrics` (one increment of a child
resolved in advance), and a hit names its route template for the request layer
(`request_context.ROUTE_SCOPE_KEY`).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Receive, Scope, Send

from service import catalog_reads, conditional, links
from service.catalog_reads import CatalogRead
from service.metrics import Metrics
from service.request_context import ROUTE_SCOPE_KEY
from service.store import keys

# Set in the scope by `service.edge.CatalogEdge` when it already looked this request up.
FRONT_CHECKED = "nfx.front_checked"
Head = list[tuple[bytes, bytes]]


def head_of(body: bytes, etag: bytes | None = None) -> Head:
    """The answer headers of a cached body, but its `Age` and `Link`: prepared once per entry."""
    return [
        (b"content-type", b"application/json"),
        (b"content-length", b"%d" % len(body)),
        (b"x-cache", b"HIT"),
        (b"etag", etag or conditional.strong_etag(body)),
    ]


@dataclass(frozen=True, slots=True)
class FrontEntry:
    """A cached body, its answer headers (its ETag among them), the wall-clock time it was
    fetched upstream and, for a page, its paging (for `Link`)."""

    body: bytes
    fetched_at: float
    expires_at: float
    head: Head
    etag: bytes
    paging: links.Paging | None = None


def front_entry(
    body: bytes, *, age_s: float, now: float = 0.0, lifetime: float = 0.0
) -> FrontEntry:
    """An entry for a body `age_s` old at `now`, fresh for `lifetime` more seconds (an entry
    answered once and not kept needs neither)."""
    etag = conditional.strong_etag(body)
    return FrontEntry(
        body, now - age_s, now + lifetime, head_of(body, etag), etag, links.paging_of(body)
    )


class FrontCache:
    """A small per-process LRU of response bodies with a short TTL."""

    def __init__(
        self, *, ttl_s: float, max_entries: int, clock: Callable[[], float] = time.time
    ) -> None:
        self._ttl_s = ttl_s
        self._max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[str, FrontEntry] = OrderedDict()

    @property
    def enabled(self) -> bool:
        """False when configured with a zero TTL or size."""
        return self._ttl_s > 0 and self._max_entries > 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: str) -> FrontEntry | None:
        """The fresh entry for a key, or None (expired entries are dropped)."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.expires_at <= self._clock():
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return entry

    def age_of(self, entry: FrontEntry) -> int:
        """Whole seconds since the entry's content was fetched upstream."""
        return max(0, int(self._clock() - entry.fetched_at))

    def put(
        self, key: str, body: bytes, *, age_s: float, fresh_for_s: float | None = None
    ) -> FrontEntry | None:
        """Keep a body that is already `age_s` seconds old, never past its own freshness.

        Returns the entry kept, or None when the body is too old (or the tier is off).
        """
        lifetime = self._ttl_s if fresh_for_s is None else min(self._ttl_s, fresh_for_s - age_s)
        if not self.enabled or lifetime <= 0:
            return None
        now = self._clock()
        entry = self._entries[key] = front_entry(body, age_s=age_s, now=now, lifetime=lifetime)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)
        return entry

    def clear(self, group: str | None = None) -> int:
        """Drop every entry, or those of one resource group (as the shared cache's purge does).

        Returns how many were dropped.
        """
        if group is None:
            count = len(self._entries)
            self._entries.clear()
            return count
        doomed = [key for key in self._entries if keys.in_catalog_group(key, group)]
        for key in doomed:
            del self._entries[key]
        return len(doomed)


def front_lookup(path: str, query_string: bytes) -> tuple[CatalogRead, str] | None:
    """The declared read a cacheable GET names (its `path` is the route template the metrics
    and log name) and its cache key, or None."""
    try:
        pairs = parse_qsl(
            query_string.decode("latin-1"),
            keep_blank_values=True,
            strict_parsing=False,
            max_num_fields=20,
        )
    except ValueError:
        return None
    params: dict[str, str] = {}
    for name, value in pairs:
        if name in params:
            return None
        params[name] = value
    return catalog_reads.recognize(path, params)


class FrontLayer:
    """Pure ASGI middleware answering front-tier hits; everything else goes to the app."""

    def __init__(self, app: ASGIApp, *, cache: FrontCache, metrics: Metrics | None = None) -> None:
        self.app = app
        self.cache = cache
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in ("GET", "HEAD")
            or not self.cache.enabled
            or scope.get(FRONT_CHECKED)
        ):
            await self.app(scope, receive, send)
            return
        found = None
        if not any(name in (b"authorization", b"cookie") for name, _ in scope["headers"]):
            found = front_lookup(scope["path"], scope["query_string"])
        if found is None:
            await self.app(scope, receive, send)
            return
        read, key = found
        entry = self.cache.get(key)
        if entry is None:
            if self.metrics is not None:
                self.metrics.front_miss()
            await self.app(scope, receive, send)
            return
        if self.metrics is not None:
            self.metrics.front_hit()
        scope[ROUTE_SCOPE_KEY] = read.path
        age = self.cache.age_of(entry)
        headers = [*entry.head, (b"age", b"%d" % age)]
        if entry.paging is not None and (link := links.page_link(scope, entry.paging)):
            headers.append((b"link", link))
        status, body = 200, entry.body
        if conditional.not_modified(conditional.if_none_match(scope), entry.etag):
            status, headers = 304, conditional.not_modified_headers(headers)
        if status == 304 or scope["method"] == "HEAD":
            body = b""
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
