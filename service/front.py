"""The front tier: answers repeated anonymous catalog GETs before FastAPI routing.

Most requests are answered by `service.edge.CatalogEdge`, the outermost layer, through
`front_lookup` and `FrontCache`. `FrontLayer`, a pure ASGI middleware inside the request
layers, answers the requests the edge leaves to them (CORS, forwarded addresses).

For a GET on a cacheable catalog path without credentials `front_lookup` parses the raw path
and query just enough to build the same cache key the routers build (the `*_key` functions of
`service.usecases.catalog`) and, when the in-process `FrontCache` holds a fresh body for it,
the tier answers at once with `X-Cache: HIT` and `Age`. Anything
it does not fully understand (unknown or repeated parameters it needs, bad values, other paths)
passes through untouched, so validation and errors stay with the routers. The cache is filled by
the catalog use cases, only with bodies that were answered as HIT or MISS; its short TTL keeps
replicas close to the shared Redis tier.

Each cacheable GET counts as a front-tier HIT or MISS in `Metrics` (one increment of a child
resolved in advance), and a hit names its route template for the request layer
(`request_context.ROUTE_SCOPE_KEY`).
"""

from __future__ import annotations

import re
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Receive, Scope, Send

from service.errors import InvalidInput
from service.metrics import Metrics
from service.netflix.refs import TitleRef
from service.request_context import ROUTE_SCOPE_KEY
from service.schemas.titles import TitlePart
from service.store import keys
from service.usecases import catalog

_TITLE = re.compile(r"/v1/titles/(movies|series|programs|discs)/([1-9][0-9]{0,14})")
_SEASON = re.compile(r"/v1/titles/series/([1-9][0-9]{0,14})/seasons/([1-9][0-9]{0,14})")
_SIMILAR = re.compile(r"/v1/titles/(movies|series|programs|discs)/([1-9][0-9]{0,14})/similar")
_PERSON = re.compile(r"/v1/people/([1-9][0-9]{0,14})")
_INT = re.compile(r"[0-9]{1,7}")
# The routers' templates of the paths above (the request metric's and log's `route`).
_TITLE_ROUTE = "/v1/titles/{kind}/{title_id}"
_SEASON_ROUTE = "/v1/titles/series/{series_id}/seasons/{season_id}"
_SIMILAR_ROUTE = "/v1/titles/{kind}/{title_id}/similar"
_PERSON_ROUTE = "/v1/people/{person_id}"
# Set in the scope by `service.edge.CatalogEdge` when it already looked this request up.
FRONT_CHECKED = "nfx.front_checked"
Head = list[tuple[bytes, bytes]]


def head_of(body: bytes) -> Head:
    """The answer headers of a cached body, but its `Age`: prepared once per entry."""
    return [
        (b"content-type", b"application/json"),
        (b"content-length", b"%d" % len(body)),
        (b"x-cache", b"HIT"),
    ]


@dataclass(frozen=True, slots=True)
class FrontEntry:
    """A cached body, its answer headers and the wall-clock time it was fetched upstream."""

    body: bytes
    fetched_at: float
    expires_at: float
    head: Head


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
        entry = self._entries[key] = FrontEntry(body, now - age_s, now + lifetime, head_of(body))
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


def front_key(path: str, query_string: bytes) -> str | None:
    """The cache key of a cacheable catalog GET, or None when the front tier must not answer."""
    found = front_lookup(path, query_string)
    return None if found is None else found[1]


def front_lookup(path: str, query_string: bytes) -> tuple[str, str] | None:
    """The route template and cache key of a cacheable catalog GET, or None."""
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
    try:
        return _route(path, params)
    except (_NotCacheableError, InvalidInput):
        return None


class _NotCacheableError(Exception):
    """Raised when a raw parameter is not in the exact form the routers accept."""


def _route(path: str, params: dict[str, str]) -> tuple[str, str] | None:
    """(route template as the router names it, cache key), or None."""
    if path == "/v1/titles":
        return path, catalog.search_key(_term(params), *_paging(params), _include(params))
    if path == "/v1/titles/autocomplete":
        return path, catalog.autocomplete_key(_term(params))
    if path == "/v1/people":
        return path, catalog.people_search_key(_term(params), *_paging(params))
    if match := _SEASON.fullmatch(path):
        ref = TitleRef("series", int(match[1]), int(match[2]))
        return _SEASON_ROUTE, catalog.title_key(ref, _include(params))
    if match := _SIMILAR.fullmatch(path):
        ref = TitleRef(match[1], int(match[2]))  # type: ignore[arg-type]  # regex-checked kind
        return _SIMILAR_ROUTE, catalog.similar_key(ref, *_paging(params))
    if match := _TITLE.fullmatch(path):
        ref = TitleRef(match[1], int(match[2]))  # type: ignore[arg-type]  # regex-checked kind
        return _TITLE_ROUTE, catalog.title_key(ref, _include(params))
    if match := _PERSON.fullmatch(path):
        return _PERSON_ROUTE, catalog.person_key(int(match[1]))
    return None


def _term(params: dict[str, str]) -> str:
    term = params.get("term", "")
    if not term.strip() or len(term) > catalog.MAX_TERM_LENGTH:
        raise _NotCacheableError
    return term


def _int(params: dict[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    if not _INT.fullmatch(raw) or not low <= int(raw) <= high:
        raise _NotCacheableError
    return int(raw)


def _paging(params: dict[str, str]) -> tuple[int, int]:
    return (
        _int(params, "start_index", 0, 0, catalog.MAX_START_INDEX),
        _int(params, "page_size", catalog.DEFAULT_PAGE_SIZE, 1, catalog.MAX_PAGE_SIZE),
    )


def _include(params: dict[str, str]) -> tuple[TitlePart, ...]:
    return catalog.parse_include(params.get("include"))


class FrontLayer:
    """Pure ASGI middleware answering front-tier hits; everything else goes to the app."""

    def __init__(self, app: ASGIApp, *, cache: FrontCache, metrics: Metrics | None = None) -> None:
        self.app = app
        self.cache = cache
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
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
        route, key = found
        entry = self.cache.get(key)
        if entry is None:
            if self.metrics is not None:
                self.metrics.front_miss()
            await self.app(scope, receive, send)
            return
        if self.metrics is not None:
            self.metrics.front_hit()
        scope[ROUTE_SCOPE_KEY] = route
        age = self.cache.age_of(entry)
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [*entry.head, (b"age", b"%d" % age)],
            }
        )
        await send({"type": "http.response.body", "body": entry.body})
