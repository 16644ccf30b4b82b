"""Queue reads and writes: one writer per user and queue, etags kept server-side, retries,
and a definite answer after an upstream failure.

The upstream guards every queue write with the queue's etag (412 when it is stale) and
clients of the proxy never see etags. So each write here:

1. takes the per-user-per-queue Redis lock in turn (`store.locks.QueueLock`), serializing
   writers across all replicas, and renews it before each upstream write (a fencing check: a
   writer whose lease expired stops with `QueueBusy` instead of racing the next holder);
2. reads the stored etag (`store.etags.EtagStore`); when none is known, GETs the queue once;
3. writes upstream with it and stores the etag of the answer;
4. on `StaleEtag` (412 without sub_code 710; someone outside the proxy changed the queue)
   re-reads the queue, stores its etag and retries after a jittered backoff, at most
   `settings.etag_retries` times, then answers 409 `Conflict`;
5. when the write times out, breaks off or meets a 5xx, the outcome is unknown: it
   reconciles. It re-reads the queue's etag: unchanged means the write did not happen (every
   upstream write changes it); changed, it reads the entry back and checks the write's effect
   (the title queued; at its position; gone). Done, it answers that; not done, it retries
   within the same bound, else answers the upstream error. A stale etag or "already in queue"
   after an uncertain attempt is checked the same way: it may be that attempt landing late.
   When the queue cannot be read back either, the error says the outcome is unknown.

`AlreadyInQueue` (412 sub_code 710) passes through as a 409. Every queue GET sent upstream
also refreshes the stored etag. Reads for callers go through the per-subscriber cache
(`usecases.user_reads`); the reads that check a write always go upstream, and every write runs
inside `UserReads.changing`, so no cached page or entry outlives it. A whole-queue reorder
runs the fewest-moves plan of `usecases.reorder`, one upstream move per title outside the
longest increasing subsequence, all inside one lock; each move is reconciled like a single one.

`Metrics` counts the retries after a stale etag and each reconciliation by what it found:
`applied` (the write had taken effect), `not_applied`, or `unknown` (the queue could not be
read back).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TypeVar

from service.errors import (
    AlreadyInQueue,
    BadUpstream,
    Conflict,
    InvalidInput,
    NotFound,
    QueueBusy,
    StaleEtag,
    UpstreamTimeout,
)
from service.metrics import Metrics, Reconciliation
from service.netflix.refs import TitleRef
from service.schemas.queues import QueueEntry, QueuePage, QueueSort, QueueState, QueueType
from service.store.etags import EtagStore
from service.store.locks import LockLease, QueueLock
from service.usecases.reorder import NotAPermutation, plan_reorder
from service.usecases.user_reads import UserReads, queue_changes

_T = TypeVar("_T")

# The upstream's largest queue page; a reorder reads the whole available queue page by page.
UPSTREAM_QUEUE_PAGE = 500
# Bounds the pages a reorder reads, so a misbehaving upstream cannot keep it looping.
MAX_QUEUE_PAGES = 20
BACKOFF_BASE_S = 0.05
# Reads that check a write's outcome after an upstream failure (reads are safe to repeat).
READ_BACK_ATTEMPTS = 5

# Checks whether a write took effect: its result as a 1-tuple (so a `None` result is told
# apart), or None when it did not.
_Effect = Callable[[], Awaitable[tuple[_T] | None]]


@dataclass(frozen=True, slots=True)
class Reordered:
    """The available queue after a reorder, and how many titles had to move upstream."""

    queue: QueuePage
    moves: int


class QueueWrites:
    """Queue operations for one signed-in subscriber, safe under concurrent replicas."""

    def __init__(
        self,
        reads: UserReads,
        etags: EtagStore,
        lock: QueueLock,
        *,
        retries: int,
        backoff_s: float = BACKOFF_BASE_S,
        metrics: Metrics | None = None,
    ) -> None:
        self._metrics = metrics
        if retries < 0:
            raise ValueError("retries must not be negative")
        self._reads = reads
        self._client = reads.client
        self._user_id = reads.user_id
        self._etags = etags
        self._lock = lock
        self._retries = retries
        self._backoff_s = backoff_s

    async def read(
        self,
        queue: QueueType,
        *,
        state: QueueState | None,
        sort: QueueSort | None,
        start_index: int,
        max_results: int,
    ) -> QueuePage:
        """A page of the queue (cached per subscriber; when fetched, its etag is kept)."""
        return await self._reads.queue(
            queue, state=state, sort=sort, start_index=start_index, max_results=max_results
        )

    async def entry(self, queue: QueueType, ref: TitleRef) -> QueueEntry:
        """One entry of the queue (cached); `NotFound` when the title is not in it."""
        return await self._reads.queue_entry(queue, ref)

    async def _upstream_page(
        self, queue: QueueType, *, start_index: int, max_results: int
    ) -> QueuePage:
        """A page of the available queue from upstream, its etag stored."""
        page, etag = await self._client.queue(
            queue, state=QueueState.AVAILABLE, start_index=start_index, max_results=max_results
        )
        await self._etags.set(self._user_id, queue, etag)
        return page

    async def _entry(self, queue: QueueType, ref: TitleRef) -> QueueEntry:
        """One entry as the upstream has it now (how writes check the queue)."""
        return await self._client.queue_entry(queue, ref)

    @asynccontextmanager
    async def _turn(self, queue: QueueType) -> AsyncIterator[LockLease]:
        """The queue's write lock, and its cached reads dropped around what runs under it."""
        async with (
            self._lock(self._user_id, queue) as lease,
            self._reads.changing(queue_changes(queue)),
        ):
            yield lease

    async def add(self, queue: QueueType, ref: TitleRef, *, position: int | None) -> QueueEntry:
        """Queue a title (at `position`, else last); `AlreadyInQueue` when it is queued."""
        async with self._turn(queue) as lease:
            if position is not None:
                # With a position the upstream would silently move a queued title.
                await self._refuse_if_queued(queue, ref)
            return await self._write(
                queue,
                lease,
                self._adder(queue, ref, position),
                self._queued(queue, ref, position),
            )

    async def move(self, queue: QueueType, ref: TitleRef, *, position: int) -> QueueEntry:
        """Move a queued title to `position`; `NotFound` when it is not in the queue."""
        async with self._turn(queue) as lease:
            current = await self._entry(queue, ref)
            if current.state is QueueState.SAVED:
                raise InvalidInput(
                    f"{ref.short} is saved (not yet available) and has no position to change"
                )
            if current.position == position:
                return current
            return await self._write(
                queue,
                lease,
                self._adder(queue, ref, position),
                self._queued(queue, ref, position),
            )

    async def remove(self, queue: QueueType, ref: TitleRef) -> None:
        """Take a title out of the queue; `NotFound` when it is not in it."""
        async with self._turn(queue) as lease:
            current = await self._entry(queue, ref)

            async def remove(_etag: str) -> tuple[None, str]:
                etag = await self._client.remove_from_queue(queue, ref, state=current.state)
                return None, etag

            async def gone() -> tuple[None] | None:
                try:
                    await self._read_back(lambda: self._entry(queue, ref))
                except NotFound:
                    return (None,)
                return None

            await self._write(queue, lease, remove, gone)

    async def reorder(self, queue: QueueType, desired: Sequence[TitleRef]) -> Reordered:
        """Put the available queue in the `desired` order with the fewest upstream moves.

        `desired` must list every available entry exactly once (`Conflict` otherwise,
        naming the missing and unknown titles). Saved entries are not part of the order.
        """
        wanted = [ref.short for ref in desired]
        by_short = {ref.short: ref for ref in desired}
        async with self._turn(queue) as lease:
            moves = 0
            for attempt in range(self._retries + 1):
                current = [entry.title.id for entry in await self._available(queue)]
                try:
                    plan = plan_reorder(current, wanted)
                except NotAPermutation as exc:
                    # The list does not match the queue as it is now: read it again.
                    raise Conflict(
                        "`titles` must list every available title of the queue exactly once; "
                        + str(exc)
                    ) from exc
                try:
                    for step in plan:
                        ref = by_short[step.item]
                        await self._write(
                            queue,
                            lease,
                            self._adder(queue, ref, step.position),
                            self._queued(queue, ref, step.position),
                            stale_retry=False,
                        )
                        moves += 1
                    break
                except StaleEtag as exc:
                    # Changed from outside the proxy mid-plan: plan again from a fresh read.
                    if attempt == self._retries:
                        raise self._gave_up() from exc
                    self._retrying()
                    await self._sleep(attempt)
            page = await self._upstream_page(queue, start_index=0, max_results=UPSTREAM_QUEUE_PAGE)
        return Reordered(page, moves)

    async def _available(self, queue: QueueType) -> list[QueueEntry]:
        """Every available entry in queue order (reading page after page), etag stored."""
        entries: list[QueueEntry] = []
        for _ in range(MAX_QUEUE_PAGES):
            page = await self._upstream_page(
                queue, start_index=len(entries), max_results=UPSTREAM_QUEUE_PAGE
            )
            entries.extend(page.items)
            if page.next is None or not page.items:
                return entries
        raise Conflict("the queue is too long to reorder in one request")

    async def _refuse_if_queued(self, queue: QueueType, ref: TitleRef) -> None:
        try:
            await self._entry(queue, ref)
        except NotFound:
            return
        raise AlreadyInQueue(f"{ref.short} is already in the {queue.value} queue")

    def _adder(
        self, queue: QueueType, ref: TitleRef, position: int | None
    ) -> Callable[[str], Awaitable[tuple[QueueEntry, str]]]:
        """The upstream add-or-move of one title, waiting for the etag to send."""

        def call(etag: str) -> Awaitable[tuple[QueueEntry, str]]:
            return self._client.add_to_queue(queue, ref, position=position, etag=etag)

        return call

    def _queued(self, queue: QueueType, ref: TitleRef, position: int | None) -> _Effect[QueueEntry]:
        """Whether an add or move took effect: the title is queued (at `position`, or last
        when `position` is past the end); its entry when so."""

        async def check() -> tuple[QueueEntry] | None:
            try:
                entry = await self._read_back(lambda: self._entry(queue, ref))
            except NotFound:
                return None
            if position is None or entry.position == position:
                return (entry,)
            if entry.position is None or entry.position > position:
                return None
            after = await self._read_back(
                lambda: self._client.queue(
                    queue,
                    state=QueueState.AVAILABLE,
                    start_index=entry.position or 0,
                    max_results=1,
                )
            )
            return None if after[0].items else (entry,)  # last, the target being past the end

        return check

    async def _write(
        self,
        queue: QueueType,
        lease: LockLease,
        call: Callable[[str], Awaitable[tuple[_T, str]]],
        took_effect: _Effect[_T],
        *,
        stale_retry: bool = True,
    ) -> _T:
        """Run one etag-guarded upstream write under the lease the caller holds, reconciling
        with the queue after an uncertain failure (see the module's step 5)."""
        etag = await self._etags.get(self._user_id, queue)
        if etag is None:
            etag = await self._fresh_etag(queue)
        attempts = self._retries + 1
        uncertain = False  # an earlier attempt may have taken effect
        for attempt in range(attempts):
            await _still_held(lease)
            try:
                result, new_etag = await call(etag)
            except (StaleEtag, AlreadyInQueue) as exc:
                await self._etags.forget(self._user_id, queue)
                if uncertain and (done := await self._reconcile(took_effect)) is not None:
                    return done[0]
                if isinstance(exc, AlreadyInQueue) or not stale_retry:
                    raise
                if attempt == attempts - 1:
                    raise self._gave_up() from exc
                self._retrying()
                await self._sleep(attempt)
                etag = await self._fresh_etag(queue)
                continue
            except (BadUpstream, UpstreamTimeout) as exc:
                if not _outcome_unknown(exc):
                    raise
                uncertain = True
                await self._etags.forget(self._user_id, queue)
                try:
                    current = await self._read_back(lambda: self._fresh_etag(queue), exc)
                except (BadUpstream, UpstreamTimeout):
                    self._reconciled("unknown")
                    raise
                if current == etag:  # unchanged: the write did not happen
                    self._reconciled("not_applied")
                elif (done := await self._reconcile(took_effect)) is not None:
                    return done[0]
                if attempt == attempts - 1:
                    raise
                await self._sleep(attempt)
                etag = current
                continue
            if new_etag:
                await self._etags.set(self._user_id, queue, new_etag)
            else:  # no etag in the answer: learn it on the next write
                await self._etags.forget(self._user_id, queue)
            return result
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    async def _read_back(
        self, read: Callable[[], Awaitable[_T]], failure: Exception | None = None
    ) -> _T:
        """A read that checks a write's outcome, repeated on upstream failures; when it keeps
        failing, the upstream error, saying the outcome is unknown."""
        for attempt in range(READ_BACK_ATTEMPTS):
            try:
                return await read()
            except (BadUpstream, UpstreamTimeout) as exc:
                if not _outcome_unknown(exc) or attempt == READ_BACK_ATTEMPTS - 1:
                    cause = failure if isinstance(failure, BadUpstream | UpstreamTimeout) else exc
                    raise type(cause)(
                        f"{cause.detail}; the queue could not be read back, so whether the "
                        "change took effect is unknown",
                        upstream_status=cause.upstream_status,
                        upstream_sub_code=cause.upstream_sub_code,
                    ) from exc
                await self._sleep(attempt)
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    async def _reconcile(self, took_effect: _Effect[_T]) -> tuple[_T] | None:
        """`took_effect()`, counted by what it found."""
        try:
            done = await took_effect()
        except (BadUpstream, UpstreamTimeout):
            self._reconciled("unknown")
            raise
        self._reconciled("not_applied" if done is None else "applied")
        return done

    def _reconciled(self, outcome: Reconciliation) -> None:
        if self._metrics is not None:
            self._metrics.reconciliation(outcome)

    def _retrying(self) -> None:
        if self._metrics is not None:
            self._metrics.etag_retry()

    async def _fresh_etag(self, queue: QueueType) -> str:
        """GET the smallest page of the queue to learn (and store) its current etag."""
        _, etag = await self._client.queue(queue, start_index=0, max_results=1)
        await self._etags.set(self._user_id, queue, etag)
        return etag

    async def _sleep(self, attempt: int) -> None:
        # An exponential step, jittered by ±50%, so retrying replicas spread out.
        await asyncio.sleep(random.uniform(0.5, 1.5) * self._backoff_s * 2**attempt)  # noqa: S311

    def _gave_up(self) -> Conflict:
        attempts = self._retries + 1
        return Conflict(
            f"the queue kept changing during the write ({attempts} attempt"
            f"{'s' if attempts > 1 else ''}); read it again and retry"
        )


def _outcome_unknown(exc: BadUpstream | UpstreamTimeout) -> bool:
    """True when a failed write may still have taken effect: a timeout, a broken or
    unreadable answer, or a 5xx (a 4xx refusal such as bad credentials changed nothing)."""
    return exc.upstream_status is None or exc.upstream_status >= 500


async def _still_held(lease: LockLease) -> None:
    """Fencing before each upstream write: renew the lease, or stop if it was lost."""
    if not await lease.extend():
        raise QueueBusy("the queue's turn ran out before the write; retry")
