"""One signed-in subscriber's reads, cached per subscriber, and what their writes invalidate.

Every caller that reads a subscriber's data (the `/v1/me` routes, the queue use case, pages
built from several reads) goes through `UserReads`, so all of them share the cache and see a
write at once: a write made through the proxy names the kinds of reads it changes
(`QUEUE_CHANGES`, `RATING_CHANGES`) and runs inside `changing(...)` (see `store.user_cache`).
Each read reports HIT, MISS or BYPASS to the `observe` callback with the worst status so far,
which the routes answer as `X-Cache`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Sequence
from contextlib import asynccontextmanager
from typing import TypeVar

from pydantic import TypeAdapter, ValidationError

from service.metrics import Metrics
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
        return await self._read(PROFILE, {}, self._profile_ttl_s, _USER, self.client.user)

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

        async def fetch() -> QueuePage:
            page, etag = await self.client.queue(
                queue, state=state, sort=sort, start_index=start_index, max_results=max_results
            )
            await self._etags.set(self.user_id, queue, etag)
            return page

        params: dict[str, keys.ParamValue] = {
            "page": "list",
            "state": state,
            "sort": sort,
            "start_index": start_index,
            "max_results": max_results,
        }
        return await self._read(queue_kind(queue), params, self._ttl_s, _QUEUE_PAGE, fetch)

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
        return await self._read(
            RENTAL_HISTORY,
            {"kind": kind, "start_index": start_index, "max_results": max_results},
            self._profile_ttl_s,
            _RENTAL_PAGE,
            lambda: self.client.rental_history(
                kind, start_index=start_index, max_results=max_results
            ),
        )

    async def at_home(self) -> list[RentalEntry]:
        """Discs at home."""
        return await self._read(AT_HOME, {}, self._ttl_s, _AT_HOME, self.client.at_home)

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
        return await self._read(
            RECOMMENDATIONS,
            {"start_index": start_index, "max_results": max_results},
            self._profile_ttl_s,
            _TITLE_PAGE,
            lambda: self.client.recommendations(start_index=start_index, max_results=max_results),
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

    def _note(self, status: ReadStatus) -> None:
        if self._metrics is not None:
            self._metrics.cache("user", status)
        if self.cache_status is None or _RANK[status] > _RANK[self.cache_status]:
            self.cache_status = status
        if self._observe is not None:
            self._observe(self.cache_status)
