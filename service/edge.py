"""The catalog edge: the first code a request meets, answering cached anonymous catalog GETs.

A cache hit is most of the proxy's traffic, and every layer it crosses costs a share of a
sub-millisecond answer. `CatalogEdge` sits outside all of them, FastAPI's own wrappers
included (`service.app.ProxyApp` calls it first): for a plain GET (no credentials, no body,
no `If-None-Match`, no `Origin` when CORS is on, no `X-Forwarded-For` when proxies are
trusted: the requests the layers inside would change) on a path the front tier recognizes
(`service.front.front_lookup`, memoized by the raw path and query, so a repeated request
costs one dict lookup and no hashing), it answers

* from the front tier (`FrontCache`) with headers prepared once per entry, else
* from the Redis tier: one read, batched with the other requests' reads of the same loop
  turn (`service.store.batched`); a fresh entry is answered as is (the stored bytes are the
  final JSON) and kept in the front tier.

Either way it does what the request layer would: the request id (echoed or made), the
request metric and the one log line (`service.request_layer.finish_request`). Anything else
(other requests, a miss in both tiers, a store that fails) goes to the full stack, marked
so that `FrontLayer` inside does not look again.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from starlette.datastructures import State
from starlette.types import ASGIApp, Receive, Scope, Send

from service import links, request_context
from service.catalog_reads import CatalogRead
from service.front import FRONT_CHECKED, FrontCache, FrontEntry, Head, front_entry, front_lookup
from service.metrics import Metrics
from service.request_layer import finish_request
from service.store.cache import decode_entry, forget_prefetched, prefetched
from service.store.redis import STORE_DOWN

if TYPE_CHECKING:
    from service.deps import Runtime

_log = logging.getLogger(__name__)

# Recognized (route, key) per raw (path, query); None for requests the front tier never
# answers. Bounded: emptied when full (a recognizer call is cheap, only repeated ones are not).
_MEMO_SIZE = 4096
Found = tuple[CatalogRead, str] | None


@dataclass(frozen=True, slots=True)
class _Read:
    """A Redis-tier read that found no fresh entry: what it found, for the cache below."""

    raw: bytes | None


class CatalogEdge:
    """Answers front-tier and Redis-tier hits before every other layer."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        state: State,
        front: FrontCache,
        metrics: Metrics,
        cors: bool,
        trusted_proxies: bool,
    ) -> None:
        self.app = app
        self.state = state  # the app's, where its lifespan keeps the runtime
        self.front = front
        self.metrics = metrics
        # Headers that make a request one the edge must leave to the layers inside.
        # A conditional request is answered inside (`FrontLayer` and the conditional layer).
        skip = {
            b"authorization",
            b"cookie",
            b"content-length",
            b"transfer-encoding",
            b"if-none-match",
        }
        if cors:
            skip.add(b"origin")
        if trusted_proxies:
            skip.add(b"x-forwarded-for")
        self._skip = frozenset(skip)
        # With CORS on, every answer says it depends on Origin (as `CorsLayer` marks them).
        self._vary: Head = [(b"vary", b"Origin")] if cors else []
        self._memo: dict[tuple[str, bytes], Found] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        offered: bytes | None = None
        skip = self._skip
        for name, value in scope["headers"]:
            if name in skip:
                await self.app(scope, receive, send)
                return
            if name == b"x-request-id" and offered is None:
                offered = value  # the first, as the request layer reads it
        found = self._recognize(scope["path"], scope["query_string"])
        if found is None:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        read, key = found
        entry = self.front.get(key)
        if entry is not None:
            self.metrics.front_hit()
            age = self.front.age_of(entry)
            await self._answer(scope, send, offered, started, read.path, entry, age)
            return
        if self.front.enabled:
            self.metrics.front_miss()
        scope[FRONT_CHECKED] = True
        runtime: Runtime | None = getattr(self.state, "runtime", None)
        hit = None if runtime is None else await self._redis_hit(runtime, read, key)
        if isinstance(hit, _Read):
            token = prefetched(key, hit.raw)  # the cache below need not read it again
            try:
                await self.app(scope, receive, send)
            finally:
                forget_prefetched(token)
            return
        if hit is None:
            await self.app(scope, receive, send)
            return
        entry, age = hit
        await self._answer(scope, send, offered, started, read.path, entry, age)

    def _recognize(self, path: str, query: bytes) -> Found:
        memo = self._memo
        raw = (path, query)
        try:
            return memo[raw]
        except KeyError:
            pass
        found = front_lookup(path, query)
        if len(memo) >= _MEMO_SIZE:
            memo.clear()
        memo[raw] = found
        return found

    async def _redis_hit(
        self, runtime: Runtime, read: CatalogRead, key: str
    ) -> tuple[FrontEntry, int] | _Read | None:
        """The fresh Redis-tier entry (kept in the front tier too), what was read, or None."""
        ttl_s = read.ttl_s(runtime.settings)
        try:
            raw = await runtime.batched_get.get(key)
        except STORE_DOWN:
            return None  # the router answers BYPASS
        except Exception:
            # Any other store error (an error reply) is the full stack's to answer, with a
            # problem document and a request id: this layer sits outside its error handling.
            _log.warning("the catalog edge could not read the store", exc_info=True)
            return None
        entry = decode_entry(raw)
        if entry is None:
            return _Read(raw)
        age = entry.age(runtime.cache.now())
        if age >= ttl_s:
            return _Read(raw)
        self.metrics.cache("redis", "HIT")
        whole = int(age)
        kept = self.front.put(key, entry.body, age_s=whole, fresh_for_s=ttl_s)
        return kept or front_entry(entry.body, age_s=whole), whole

    async def _answer(
        self,
        scope: Scope,
        send: Send,
        offered: bytes | None,
        started: float,
        route: str,
        entry: FrontEntry,
        age: int,
    ) -> None:
        record = request_context.new_record(offered)
        token = request_context.enter(record)
        try:
            scope[request_context.ROUTE_SCOPE_KEY] = route
            headers = [
                *entry.head,
                *self._vary,
                (b"age", b"%d" % age),
                (b"x-request-id", record.request_id.encode("latin-1")),
            ]
            if entry.paging is not None and (link := links.page_link(scope, entry.paging)):
                headers.append((b"link", link))
            # Counted and logged before the answer leaves, as the request layer does.
            finish_request(self.metrics, scope, record, 200, "HIT", started)
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": entry.body})
        finally:
            request_context.leave(token)
