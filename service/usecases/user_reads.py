"""One signed-in subscriber's reads, cached per subscriber, and what their writes invalidate.

Every caller that reads a subscriber's data (the `/v1/me` routes, the queue use case, pages
built from several reads) goes through `UserReads`, so all of them share the cache and see a
write at once: a write made through the proxy names the kinds of reads it changes
(`QUEUE_CHANGES`, `RATING_CHANGES`) and runs inside `changing(...)` (see `store.user_cache`).
Each read reports HIT, MISS or BYPASS to the `observe` callback with the worst status so far,
which the routes answer as `X-Cache`.

The reads of the home screen come in two forms: a model (`queue`) and its JSON (`queue_json`).
Both fetch plain fields and store the same body (`dump_json` of the fields, the bytes the
model writes); the JSON form answers that body as is, with no model on the way.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import orjson
from pydantic import TypeAdapter, ValidationError

from service.metrics import Metrics
from service.netflix.normalize.common import dump_json
from service.netflix.normalize.title_fields import Fields
from service.netflix.refs import TitleRef
from service.netflix.subscriber import SubscriberClient
from service.schemas.queues import QueueEntry, QueuePage, QueueSort, QueueState, QueueType
from service.schemas.ratings import Rating, RatingKind, RatingValue
from service.schemas.rentals import RentalEntry, RentalKind, RentalPage
from service.schemas.titles import TitlePage
from service.schemas.users import Feed, TitleState, User
from service.settings import Settings
from service.store import keys
from service.store.etags import EtagStore
from service.store.user_cache import ReadStatus, UserCache

_T = TypeVar("_T")

# The kinds of cached reads (`keys.user_cache`); a queue's kind is `queue_kind(queue)`.
PROFILE = "profile"
FEEDS = "feeds"
TITLE_STATES = "title_states"
AT_HOME = "at_home"
RENTAL_HISTORY = "rental_history"
RATINGS = "ratings"
RECOMMENDATIONS = "recommendations"
# Worst first: one read that bypassed the cache makes the whole answer BYPASS.
_RANK: dict[ReadStatus, int] = {"HIT": 0, "MISS": 1, "BYPASS": 2}


def queue_kind(queue: QueueType) -> str:
    """The kind of one queue's cached pages and entries."""
    return f"queue.{QueueType(queue).value}"


def queue_changes(queue: QueueType) -> frozenset[str]:
    """What a queue write changes: the queue, title states (in queue or not) and
    recommendations (which leave out queued titles)."""
    return frozenset({queue_kind(queue), TITLE_STATES, RECOMMENDATIONS})


# What a rating changes: ratings, and recommendations (which leave out rated titles).
RATING_CHANGES = frozenset({RATINGS, RECOMMENDATIONS})

_USER = TypeAdapter(User)
_FEEDS = TypeAdapter(list[Feed])
_TITLE_STATES = TypeAdapter(list[TitleState])
_QUEUE_PAGE = TypeAdapter(QueuePage)
_QUEUE_ENTRY = TypeAdapter(QueueEntry)
_RENTAL_PAGE = TypeAdapter(RentalPage)
_AT_HOME = TypeAdapter(list[RentalEntry])
_RATINGS = TypeAdapter(list[Rating])
_TITLE_PAGE = TypeAdapter(TitlePage)


def _refs_param(refs: Sequence[TitleRef]) -> str:
    return ",".join(ref.short for ref in refs)


@dataclass(frozen=True, slots=True)
class _FieldsRead:
    """A cached read whose fetch answers the model's plain fields (`..._fields` of the
    client): `dump_json` writes them as the model would, so the stored body is the same
    whether a model or only JSON is wanted."""

    kind: str
    params: dict[str, keys.ParamValue]
    ttl_s: float
    fetch: Callable[[], Awaitable[Any]]


class UserReads:
    """The subscriber's reads through the per-subscriber cache; `client` for uncached calls."""

    def __init__(
        self,
        client: SubscriberClient,
        cache: UserCache,
        etags: EtagStore,
        settings: Settings,
        *,
        observe: Callable[[ReadStatus], None] | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self.client = client
        self.user_id = client.user_id
        self._cache = cache
        self._etags = etags
        self._ttl_s = settings.user_cache_ttl_s
        self._profile_ttl_s = settings.user_cache_ttl_profile_s
        self._observe = observe
        self._metrics = metrics
        self.cache_status: ReadStatus | None = None

    async def profile(self) -> User:
        """The subscriber's profile."""
        return await self._model(self._profile(), _USER)

    async def profile_json(self) -> bytes:
        """The subscriber's profile, as the JSON `User` writes."""
        return await self._json(self._profile())

    def _profile(self) -> _FieldsRead:
        return _FieldsRead(PROFILE, {}, self._profile_ttl_s, self.client.user_fields)

    async def feeds(self) -> list[Feed]:
        """The subscriber's feeds."""
        return await self._read(FEEDS, {}, self._profile_ttl_s, _FEEDS, self.client.feeds)

    async def title_states(self, refs: Sequence[TitleRef]) -> list[TitleState]:
        """What the subscriber can do with each title."""
        return await self._read(
            TITLE_STATES,
            {"titles": _refs_param(refs)},
            self._ttl_s,
            _TITLE_STATES,
            lambda: self.client.title_states(refs),
        )

    async def queue(
        self,
        queue: QueueType,
        *,
        state: QueueState | None = None,
        sort: QueueSort | None = None,
        start_index: int = 0,
        max_results: int = 25,
    ) -> QueuePage:
        """A page of a queue; when fetched, the queue's etag is kept for the next write."""
        read = self._queue(queue, state, sort, start_index, max_results)
        return await self._model(read, _QUEUE_PAGE)

    async def queue_json(self, queue: QueueType, *, max_results: int = 25) -> bytes:
        """The first page of a queue, as the JSON `QueuePage` writes (see `queue`)."""
        return await self._json(self._queue(queue, None, None, 0, max_results))

    def _queue(
        self,
        queue: QueueType,
        state: QueueState | None,
        sort: QueueSort | None,
        start_index: int,
        max_results: int,
    ) -> _FieldsRead:
        async def fetch() -> Fields:
            page, etag = await self.client.queue_fields(
                queue, state=state, sort=sort, start_index=start_index, max_results=max_results
            )
            await self._etags.keep(self.user_id, queue, etag)
            return page

        params: dict[str, keys.ParamValue] = {
            "page": "list",
            "state": state,
            "sort": sort,
            "start_index": start_index,
            "max_results": max_results,
        }
        return _FieldsRead(queue_kind(queue), params, self._ttl_s, fetch)

    async def queue_entry(self, queue: QueueType, ref: TitleRef) -> QueueEntry:
        """One title's entry in a queue; `NotFound` (never cached) when it is not queued."""
        return await self._read(
            queue_kind(queue),
            {"page": "entry", "title": ref.short},
            self._ttl_s,
            _QUEUE_ENTRY,
            lambda: self.client.queue_entry(queue, ref),
        )

    async def rental_history(
        self, kind: RentalKind, *, start_index: int = 0, max_results: int = 25
    ) -> RentalPage:
        """A page of the rental history."""
        return await self._model(self._rental_history(kind, start_index, max_results), _RENTAL_PAGE)

    async def rental_history_json(self, kind: RentalKind, *, max_results: int = 25) -> bytes:
        """The newest page of the rental history, as the JSON `RentalPage` writes."""
        return await self._json(self._rental_history(kind, 0, max_results))

    def _rental_history(self, kind: RentalKind, start_index: int, max_results: int) -> _FieldsRead:
        return _FieldsRead(
            RENTAL_HISTORY,
            {"kind": kind, "start_index": start_index, "max_results": max_results},
            self._profile_ttl_s,
            lambda: self.client.rental_history_fields(
                kind, start_index=start_index, max_results=max_results
            ),
        )

    async def at_home(self) -> list[RentalEntry]:
        """Discs at home."""
        return await self._model(self._at_home(), _AT_HOME)

    async def at_home_json(self) -> bytes:
        """Discs at home, as the JSON a list of `RentalEntry` writes."""
        return await self._json(self._at_home())

    def _at_home(self) -> _FieldsRead:
        return _FieldsRead(AT_HOME, {}, self._ttl_s, self.client.at_home_fields)

    async def ratings(self, refs: Sequence[TitleRef], *, kind: RatingKind) -> list[Rating]:
        """Ratings of titles: own, predicted or either."""
        return await self._read(
            RATINGS,
            {"titles": _refs_param(refs), "kind": kind},
            self._ttl_s,
            _RATINGS,
            lambda: self.client.ratings(refs, kind=kind),
        )

    async def recommendations(self, *, start_index: int = 0, max_results: int = 25) -> TitlePage:
        """A page of recommendations."""
        return await self._model(self._recommendations(start_index, max_results), _TITLE_PAGE)

    async def recommendations_json(self, *, max_results: int = 25) -> bytes:
        """The first page of recommendations, as the JSON `TitlePage` writes."""
        return await self._json(self._recommendations(0, max_results))

    def _recommendations(self, start_index: int, max_results: int) -> _FieldsRead:
        return _FieldsRead(
            RECOMMENDATIONS,
            {"start_index": start_index, "max_results": max_results},
            self._profile_ttl_s,
            lambda: self.client.recommendations_fields(
                start_index=start_index, max_results=max_results
            ),
        )

    async def set_rating(self, ref: TitleRef, value: RatingValue) -> Rating:
        """Rate a title; the subscriber's cached ratings and recommendations are dropped."""
        async with self.changing(RATING_CHANGES):
            return await self.client.set_rating(ref, value)

    @asynccontextmanager
    async def changing(self, kinds: Collection[str]) -> AsyncIterator[None]:
        """Run a write that changes these kinds of reads: their cached answers are dropped
        before it (503 when the store is unreachable: nothing is written) and after it, even
        when it fails (its outcome may be unknown)."""
        await self._cache.invalidate(self.user_id, kinds, needed=True)
        try:
            yield
        finally:
            await self._cache.invalidate(self.user_id, kinds, needed=False)

    async def _read(
        self,
        kind: str,
        params: dict[str, keys.ParamValue],
        ttl_s: float,
        adapter: TypeAdapter[_T],
        fetch: Callable[[], Awaitable[_T]],
    ) -> _T:
        if ttl_s <= 0:  # this kind's caching is off: no body to serialize for the store
            value = await fetch()
            self._note("BYPASS")
            return value
        fetched: list[_T] = []

        async def body() -> bytes:
            value = await fetch()
            fetched.append(value)
            return adapter.dump_json(value, by_alias=True)

        field = keys.user_read_field(**params)
        raw, status = await self._cache.get_or_fetch(self.user_id, kind, field, ttl_s, body)
        if fetched:
            self._note(status)
            return fetched[0]
        try:
            value = adapter.validate_json(raw)
        except ValidationError:
            # Stored by a version with other models (`keys.USER_FORMAT` not bumped): ask again.
            self._note("MISS")
            return await fetch()
        self._note(status)
        return value

    async def _model(self, read: _FieldsRead, adapter: TypeAdapter[_T]) -> _T:
        """A fields read as a model: validated from the fields when fetched, else from the
        stored body."""
        raw, fetched = await self._body(read)
        if fetched is not None or raw is None:
            return adapter.validate_python(fetched)
        try:
            return adapter.validate_json(raw)
        except ValidationError:
            # Stored by a version with other models (`keys.USER_FORMAT` not bumped): ask again.
            self._note("MISS")
            return adapter.validate_python(await read.fetch())

    async def _json(self, read: _FieldsRead) -> bytes:
        """A fields read as its JSON body, stored or written from the fields: no model.

        A stored body goes out as stored (the home screen embeds it), so it must at least be
        JSON; `keys.USER_FORMAT` keeps bodies of other models apart (a test pins it to them).
        """
        raw, fetched = await self._body(read)
        if raw is None:
            return dump_json(fetched)
        if fetched is None:
            try:
                orjson.loads(raw)
            except orjson.JSONDecodeError:
                self._note("MISS")
                return dump_json(await read.fetch())
        return raw

    async def _body(self, read: _FieldsRead) -> tuple[bytes | None, Any]:
        """The read's body through the cache (None when its caching is off), and its fields
        when they were fetched now (else None)."""
        if read.ttl_s <= 0:  # this kind's caching is off: no cache field, no body to write
            fields = await read.fetch()
            self._note("BYPASS")
            return None, fields
        fetched: list[Any] = []

        async def body() -> bytes:
            fields = await read.fetch()
            fetched.append(fields)
            return dump_json(fields)

        field = keys.user_read_field(**read.params)
        raw, status = await self._cache.get_or_fetch(
            self.user_id, read.kind, field, read.ttl_s, body
        )
        self._note(status)
        return raw, fetched[0] if fetched else None

    def _note(self, status: ReadStatus) -> None:
        if self._metrics is not None:
            self._metrics.cache("user", status)
        if self.cache_status is None or _RANK[status] > _RANK[self.cache_status]:
            self.cache_status = status
        if self._observe is not None:
            self._observe(self.cache_status)
