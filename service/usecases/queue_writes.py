"""Queue reads and writes: one writer per user and queue, etags kept server-side, retries.

The upstream guards every queue write with the queue's etag (412 when it is stale) and
clients of the proxy never see etags. So each write here:

1. takes the per-user-per-queue Redis lock (`store.locks.QueueLock`), serializing writers
   across all replicas, and renews it before each upstream write (a fencing check: a writer
   whose lease expired stops instead of racing the next holder);
2. reads the stored etag (`store.etags.EtagStore`); when none is known, GETs the queue once;
3. writes upstream with it and stores the etag of the answer;
4. on `StaleEtag` (412 without sub_code 710; someone outside the proxy changed the queue)
   re-reads the queue, stores its etag and retries after a jittered backoff, at most
   `settings.etag_retries` times, then answers 409 `Conflict`.

`AlreadyInQueue` (412 sub_code 710) passes through as a 409. Every queue GET also refreshes
the stored etag. A whole-queue reorder runs the fewest-moves plan of `usecases.reorder`, one
upstream move per title outside the longest increasing subsequence, all inside one lock.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from service.errors import AlreadyInQueue, Conflict, InvalidInput, NotFound, StaleEtag
from service.netflix.client import NetflixClient
from service.netflix.refs import TitleRef
from service.schemas.queues import QueueEntry, QueuePage, QueueSort, QueueState, QueueType
from service.store.etags import EtagStore
from service.store.locks import LockLease, QueueLock
from service.store.sessions import Session
from service.usecases.reorder import NotAPermutation, plan_reorder

_T = TypeVar("_T")

# The upstream's largest queue page; a reorder reads the whole available queue page by page.
UPSTREAM_QUEUE_PAGE = 500
# Bounds the pages a reorder reads, so a misbehaving upstream cannot keep it looping.
MAX_QUEUE_PAGES = 20
BACKOFF_BASE_S = 0.05


@dataclass(frozen=True, slots=True)
class Reordered:
    """The available queue after a reorder, and how many titles had to move upstream."""

    queue: QueuePage
    moves: int


class QueueWrites:
    """Queue operations for one signed-in subscriber, safe under concurrent replicas."""

    def __init__(
        self,
        client: NetflixClient,
        etags: EtagStore,
        lock: QueueLock,
        *,
        retries: int,
        backoff_s: float = BACKOFF_BASE_S,
    ) -> None:
        if retries < 0:
            raise ValueError("retries must not be negative")
        self._client = client
        self._etags = etags
        self._lock = lock
        self._retries = retries
        self._backoff_s = backoff_s

    async def read(
        self,
        session: Session,
        queue: QueueType,
        *,
        state: QueueState | None,
        sort: QueueSort | None,
        start_index: int,
        max_results: int,
    ) -> QueuePage:
        """A page of the queue; its etag is kept for the next write."""
        page, etag = await self._client.get_queue(
            session.token,
            session.user_id,
            queue,
            state=state,
            start_index=start_index,
            max_results=max_results,
            sort=sort,
        )
        await self._etags.set(session.user_id, queue, etag)
        return page

    async def entry(self, session: Session, queue: QueueType, ref: TitleRef) -> QueueEntry:
        """One entry of the queue; `NotFound` when the title is not in it."""
        return await self._client.get_queue_entry(session.token, session.user_id, queue, ref)

    async def add(
        self, session: Session, queue: QueueType, ref: TitleRef, *, position: int | None
    ) -> QueueEntry:
        """Queue a title (at `position`, else last); `AlreadyInQueue` when it is queued."""
        async with self._lock(session.user_id, queue) as lease:
            if position is not None:
                # With a position the upstream would silently move a queued title.
                await self._refuse_if_queued(session, queue, ref)
            return await self._write(
                session, queue, lease, self._adder(session, queue, ref, position)
            )

    async def move(
        self, session: Session, queue: QueueType, ref: TitleRef, *, position: int
    ) -> QueueEntry:
        """Move a queued title to `position`; `NotFound` when it is not in the queue."""
        async with self._lock(session.user_id, queue) as lease:
            current = await self.entry(session, queue, ref)
            if current.state is QueueState.SAVED:
                raise InvalidInput(
                    f"{ref.short} is saved (not yet available) and has no position to change"
                )
            if current.position == position:
                return current
            return await self._write(
                session, queue, lease, self._adder(session, queue, ref, position)
            )

    async def remove(self, session: Session, queue: QueueType, ref: TitleRef) -> None:
        """Take a title out of the queue; `NotFound` when it is not in it."""
        async with self._lock(session.user_id, queue) as lease:
            current = await self.entry(session, queue, ref)
            await _still_held(lease)
            etag = await self._client.remove_from_queue(
                session.token, session.user_id, queue, ref, state=current.state
            )
            if etag:
                await self._etags.set(session.user_id, queue, etag)
            else:  # no etag in the answer: learn it on the next write
                await self._etags.forget(session.user_id, queue)

    async def reorder(
        self, session: Session, queue: QueueType, desired: Sequence[TitleRef]
    ) -> Reordered:
        """Put the available queue in the `desired` order with the fewest upstream moves.

        `desired` must list every available entry exactly once (`InvalidInput` otherwise,
        naming the missing and unknown titles). Saved entries are not part of the order.
        """
        wanted = [ref.short for ref in desired]
        by_short = {ref.short: ref for ref in desired}
        async with self._lock(session.user_id, queue) as lease:
            moves = 0
            for attempt in range(self._retries + 1):
                current = [entry.title.id for entry in await self._available(session, queue)]
                try:
                    plan = plan_reorder(current, wanted)
                except NotAPermutation as exc:
                    raise InvalidInput(
                        "`titles` must list every available title of the queue exactly once; "
                        + str(exc)
                    ) from exc
                try:
                    for step in plan:
                        ref = by_short[step.item]
                        await self._write(
                            session,
                            queue,
                            lease,
                            self._adder(session, queue, ref, step.position),
                            retry=False,
                        )
                        moves += 1
                    break
                except StaleEtag as exc:
                    # Changed from outside the proxy mid-plan: plan again from a fresh read.
                    if attempt == self._retries:
                        raise self._gave_up() from exc
                    await self._sleep(attempt)
            page = await self.read(
                session,
                queue,
                state=QueueState.AVAILABLE,
                sort=None,
                start_index=0,
                max_results=UPSTREAM_QUEUE_PAGE,
            )
        return Reordered(page, moves)

    async def _available(self, session: Session, queue: QueueType) -> list[QueueEntry]:
        """Every available entry in queue order (reading page after page), etag stored."""
        entries: list[QueueEntry] = []
        for _ in range(MAX_QUEUE_PAGES):
            page = await self.read(
                session,
                queue,
                state=QueueState.AVAILABLE,
                sort=None,
                start_index=len(entries),
                max_results=UPSTREAM_QUEUE_PAGE,
            )
            entries.extend(page.items)
            if page.next is None or not page.items:
                return entries
        raise Conflict("the queue is too long to reorder in one request")

    async def _refuse_if_queued(self, session: Session, queue: QueueType, ref: TitleRef) -> None:
        try:
            await self.entry(session, queue, ref)
        except NotFound:
            return
        raise AlreadyInQueue(f"{ref.short} is already in the {queue.value} queue")

    def _adder(
        self, session: Session, queue: QueueType, ref: TitleRef, position: int | None
    ) -> Callable[[str], Awaitable[tuple[QueueEntry, str]]]:
        """The upstream add-or-move of one title, waiting for the etag to send."""

        def call(etag: str) -> Awaitable[tuple[QueueEntry, str]]:
            return self._client.add_to_queue(
                session.token, session.user_id, queue, ref, position=position, etag=etag
            )

        return call

    async def _write(
        self,
        session: Session,
        queue: QueueType,
        lease: LockLease,
        call: Callable[[str], Awaitable[tuple[_T, str]]],
        *,
        retry: bool = True,
    ) -> _T:
        """Run one etag-guarded upstream write under the lease the caller holds."""
        etag = await self._etags.get(session.user_id, queue)
        if etag is None:
            etag = await self._fresh_etag(session, queue)
        attempts = self._retries + 1 if retry else 1
        for attempt in range(attempts):
            await _still_held(lease)
            try:
                result, new_etag = await call(etag)
            except StaleEtag as exc:
                await self._etags.forget(session.user_id, queue)
                if not retry:
                    raise
                if attempt == attempts - 1:
                    raise self._gave_up() from exc
                await self._sleep(attempt)
                etag = await self._fresh_etag(session, queue)
                continue
            await self._etags.set(session.user_id, queue, new_etag)
            return result
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    async def _fresh_etag(self, session: Session, queue: QueueType) -> str:
        """GET the smallest page of the queue to learn (and store) its current etag."""
        _, etag = await self._client.get_queue(
            session.token, session.user_id, queue, start_index=0, max_results=1
        )
        await self._etags.set(session.user_id, queue, etag)
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


async def _still_held(lease: LockLease) -> None:
    """Fencing before each upstream write: renew the lease, or stop if it was lost."""
    if not await lease.extend():
        raise Conflict(
            "the queue lock expired before the write; retry", headers={"Retry-After": "1"}
        )
