"""The signed-in subscriber's disc and instant queues: list, read, add, move, remove, reorder.

Handlers are thin: every write goes through `service.usecases.queue_writes`, which serializes
writers per user and queue and keeps the upstream etags server-side. No etag ever reaches a
client. Reads are cached per subscriber (`X-Cache`, `Cache-Control: private, no-cache`);
writes answer `Cache-Control: private, no-store`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response
from pydantic import Field

from service.deps import RuntimeDep, SettingsDep, UserReadsDep
from service.errors import problem_responses
from service.idempotency import IdempotentDep, Produce
from service.netflix.refs import MAX_REF_LENGTH, TitleRef
from service.responses import PRIVATE, private_empty, private_json
from service.routers.catalog import TitleId, TitleKindPath
from service.schemas.common import WHOLE_NUMBER, RequestBody, Schema
from service.schemas.patterns import TITLE_REF
from service.schemas.queues import QueueEntry, QueuePage, QueueSort, QueueState, QueueType
from service.store.locks import QueueLock
from service.usecases.batching import parse_ref, parse_ref_list
from service.usecases.queue_writes import QueueWrites

MAX_QUEUE_PAGE_SIZE = 500
DEFAULT_QUEUE_PAGE_SIZE = 25
MAX_REORDER_TITLES = 500


# What a signed-in call can answer (401 no session, 503 no Redis for it); writes add 409.
USER_ERRORS = problem_responses(401, 404, 422, 429, 502, 503, 504)
WRITE_ERRORS = problem_responses(401, 404, 409, 422, 429, 502, 503, 504)
WRITE_ERRORS[409] = {
    **WRITE_ERRORS[409],
    "description": "A request with the same `Idempotency-Key` is still in progress "
    "(with Retry-After).",
}
_QUEUE_WRITE_ERRORS = {
    **WRITE_ERRORS,
    409: {
        **WRITE_ERRORS[409],
        "description": "A real conflict: the title is already queued (`already-in-queue`), "
        "the queue kept changing from outside the proxy, or a request with the same "
        "`Idempotency-Key` is still in progress (with Retry-After).",
    },
    503: {
        **WRITE_ERRORS[503],
        "description": "Temporary, with Retry-After: the store is unreachable "
        "(`store-unavailable`), or earlier writes of this queue held it past "
        "`NFX_QUEUE_WAIT_S` (`queue-busy`).",
    },
    502: {
        **WRITE_ERRORS[502],
        "description": "The upstream failed and the queue, read back, shows the change did "
        "not happen (or could not be read back: the detail says the outcome is unknown).",
    },
}


# The 200 answer of a subscriber's read (cached per subscriber, see `usecases.user_reads`).
USER_READ: dict[int | str, dict[str, object]] = {
    200: {
        "description": "Successful Response",
        "headers": {
            "X-Cache": {
                "description": "HIT (the subscriber's cached answer), MISS (fetched now) or "
                "BYPASS (cache unavailable or off).",
                "schema": {"type": "string"},
            },
            "Cache-Control": {
                "description": "`private, no-cache`: never in a shared cache; a client "
                "revalidates before reusing it.",
                "schema": {"type": "string"},
            },
        },
    }
}


async def no_store(response: Response) -> None:
    """Mark the answer private: user data must never sit in a shared cache.

    `async` like every dependency here: FastAPI runs a plain `def` in a worker thread, a
    thread hop per request for a line of work."""
    response.headers["Cache-Control"] = PRIVATE


router = APIRouter(
    prefix="/v1/me/queues",
    tags=["queues"],
    responses=USER_ERRORS,
    dependencies=[Depends(no_store)],
)


class NewQueueEntry(RequestBody):
    """A title to queue, and where."""

    title: str = Field(
        min_length=1,
        max_length=MAX_REF_LENGTH,
        pattern=TITLE_REF.regex,
        description="Short id (`movies/60010110`) or full title URL.",
        examples=["movies/60010110"],
    )
    position: Annotated[int, Field(ge=1, le=10_000), WHOLE_NUMBER] | None = Field(
        None, description="1-based position; omitted means last."
    )


class QueueEntryMove(RequestBody):
    """Where a queued title goes."""

    position: Annotated[int, Field(ge=1, le=10_000), WHOLE_NUMBER] = Field(
        description="1-based position; past the end means last."
    )


class QueueOrder(RequestBody):
    """The desired order of the whole available queue, first title first."""

    titles: list[Annotated[str, Field(max_length=MAX_REF_LENGTH, pattern=TITLE_REF.regex)]] = Field(
        max_length=MAX_REORDER_TITLES,
        json_schema_extra={"uniqueItems": True},
        description="Every available title of the queue exactly once (short ids or title URLs).",
        examples=[["movies/60010110", "movies/70117293"]],
    )


class ReorderedQueue(Schema):
    """The available queue after a reorder, and how many titles moved upstream."""

    queue: QueuePage
    moves: int = Field(ge=0, description="Titles moved upstream (the fewest possible).")


async def get_queue_writes(runtime: RuntimeDep, reads: UserReadsDep) -> QueueWrites:
    """Queue operations of the caller, with this app's etag store and Redis lock."""
    return QueueWrites(
        reads,
        runtime.etags,
        QueueLock(runtime.redis, runtime.settings, breaker=runtime.breaker),
        retries=runtime.settings.etag_retries,
        metrics=runtime.metrics,
    )


Writes = Annotated[QueueWrites, Depends(get_queue_writes)]
Queue = Annotated[QueueType, Path(description="`disc` (by mail) or `instant` (streaming).")]


@router.get(
    "/{queue}",
    operation_id="get_queue",
    responses=USER_READ,
    response_model=QueuePage,
    summary="List a queue",
    description="A page of the disc or instant queue. `state` narrows it to available titles "
    "(in queue order, with positions) or saved ones (not yet released); `sort` "
    "orders it by queue position, date added or title.",
)
async def get_queue(
    writes: Writes,
    queue: Queue,
    state: Annotated[
        QueueState | None, Query(description="Only available or saved titles.")
    ] = None,
    sort: Annotated[
        QueueSort | None, Query(description="Ordering; queue order by default.")
    ] = None,
    start_index: Annotated[
        int, Query(ge=0, le=100_000, description="Zero-based offset of the first entry.")
    ] = 0,
    page_size: Annotated[
        int, Query(ge=1, le=MAX_QUEUE_PAGE_SIZE, description="Entries per page (1 to 500).")
    ] = DEFAULT_QUEUE_PAGE_SIZE,
) -> QueuePage:
    """One page of a queue."""
    return await writes.read(
        queue, state=state, sort=sort, start_index=start_index, max_results=page_size
    )


@router.get(
    "/{queue}/entries/{kind}/{title_id}",
    operation_id="get_queue_entry",
    responses=USER_READ,
    response_model=QueueEntry,
    summary="Get one queue entry",
    description="Where a title stands in the queue (position, or saved); 404 when it is not "
    "in the queue.",
)
async def get_queue_entry(
    writes: Writes, queue: Queue, kind: TitleKindPath, title_id: TitleId
) -> QueueEntry:
    """One entry."""
    return await writes.entry(queue, TitleRef(kind, title_id))


@router.post(
    "/{queue}/entries",
    operation_id="add_queue_entry",
    response_model=QueueEntry,
    status_code=201,
    summary="Add a title to a queue",
    description="Queues a title at `position` (1-based) or last. No etag is needed: the proxy "
    "keeps it and retries when the queue changed meanwhile. 409 `already-in-queue` "
    "when the title is queued already (use PATCH to move it); 404 `unknown-title` when "
    "Netflix does not know the title.",
    responses={
        201: {
            "description": "The new entry, with its position.",
            "headers": {
                "Location": {"description": "The entry's URL.", "schema": {"type": "string"}},
                "Idempotent-Replayed": {
                    "description": "`true` on the stored answer of an earlier request with "
                    "the same `Idempotency-Key` (nothing was written again).",
                    "schema": {"type": "string"},
                },
            },
        },
        **_QUEUE_WRITE_ERRORS,
    },
)
async def add_queue_entry(
    writes: Writes,
    settings: SettingsDep,
    queue: Queue,
    body: NewQueueEntry,
    once: IdempotentDep,
) -> Response:
    """Add to a queue."""

    async def add() -> Response:
        ref = parse_ref(body.title, settings)
        entry = await writes.add(queue, ref, position=body.position)
        location = f"{router.prefix}/{queue.value}/entries/{entry.title.id}"
        return private_json(entry, 201, {"Location": location})

    return await once(add)


@router.patch(
    "/{queue}/entries/{kind}/{title_id}",
    operation_id="move_queue_entry",
    response_model=QueueEntry,
    summary="Move a queued title",
    description="Moves an available title to `position`; the titles between shift by one. "
    "404 when the title is not in the queue, 422 when it is saved.",
    responses=_QUEUE_WRITE_ERRORS,
)
async def move_queue_entry(
    writes: Writes,
    queue: Queue,
    kind: TitleKindPath,
    title_id: TitleId,
    body: QueueEntryMove,
    once: IdempotentDep,
) -> Response:
    """Move within a queue."""
    return await once(_mover(writes, queue, TitleRef(kind, title_id), body.position))


@router.delete(
    "/{queue}/entries/{kind}/{title_id}",
    operation_id="remove_queue_entry",
    status_code=204,
    summary="Remove a title from a queue",
    description="Takes an available or saved title out of the queue; 404 when it is not in it.",
    responses={204: {"description": "Removed."}, **_QUEUE_WRITE_ERRORS},
)
async def remove_queue_entry(
    writes: Writes,
    queue: Queue,
    kind: TitleKindPath,
    title_id: TitleId,
    once: IdempotentDep,
) -> Response:
    """Remove from a queue."""
    return await once(_remover(writes, queue, TitleRef(kind, title_id)))


SEASON_ENTRY = "/{queue}/entries/series/{series_id}/seasons/{season_id}"


@router.get(
    SEASON_ENTRY,
    operation_id="get_season_queue_entry",
    responses=USER_READ,
    response_model=QueueEntry,
    summary="Get one season's queue entry",
    description="Where a season (`series/{id}/seasons/{season_id}`) stands in the queue; 404 "
    "when it is not in the queue.",
)
async def get_season_queue_entry(
    writes: Writes, queue: Queue, series_id: TitleId, season_id: TitleId
) -> QueueEntry:
    """One season's entry."""
    return await writes.entry(queue, TitleRef("series", series_id, season_id))


@router.patch(
    SEASON_ENTRY,
    operation_id="move_season_queue_entry",
    response_model=QueueEntry,
    summary="Move a queued season",
    description="Moves an available season to `position`; 404 when it is not in the queue, "
    "422 when it is saved.",
    responses=_QUEUE_WRITE_ERRORS,
)
async def move_season_queue_entry(
    writes: Writes,
    queue: Queue,
    series_id: TitleId,
    season_id: TitleId,
    body: QueueEntryMove,
    once: IdempotentDep,
) -> Response:
    """Move a season within a queue."""
    ref = TitleRef("series", series_id, season_id)
    return await once(_mover(writes, queue, ref, body.position))


@router.delete(
    SEASON_ENTRY,
    operation_id="remove_season_queue_entry",
    status_code=204,
    summary="Remove a season from a queue",
    description="Takes a season, available or saved, out of the queue; 404 when it is not in it.",
    responses={204: {"description": "Removed."}, **_QUEUE_WRITE_ERRORS},
)
async def remove_season_queue_entry(
    writes: Writes,
    queue: Queue,
    series_id: TitleId,
    season_id: TitleId,
    once: IdempotentDep,
) -> Response:
    """Remove a season from a queue."""
    ref = TitleRef("series", series_id, season_id)
    return await once(_remover(writes, queue, ref))


@router.put(
    "/{queue}/order",
    operation_id="reorder_queue",
    response_model=ReorderedQueue,
    summary="Reorder a whole queue",
    description="Puts the available queue in the order given. `titles` must list every "
    "available title exactly once (422 names the missing and unknown ones). Only "
    "the titles outside the longest run already in order move, one upstream call "
    "each, while the queue is locked against other writers.",
    responses=_QUEUE_WRITE_ERRORS,
)
async def reorder_queue(
    writes: Writes,
    settings: SettingsDep,
    queue: Queue,
    body: QueueOrder,
    once: IdempotentDep,
) -> Response:
    """Reorder a queue."""

    async def reorder() -> Response:
        refs = parse_ref_list(
            body.titles,
            settings,
            what="titles",
            limit=MAX_REORDER_TITLES,
            allow_duplicates=False,
            allow_empty=True,
        )
        result = await writes.reorder(queue, refs)
        return private_json(ReorderedQueue(queue=result.queue, moves=result.moves))

    return await once(reorder)


def _mover(writes: QueueWrites, queue: QueueType, ref: TitleRef, position: int) -> Produce:
    async def move() -> Response:
        return private_json(await writes.move(queue, ref, position=position))

    return move


def _remover(writes: QueueWrites, queue: QueueType, ref: TitleRef) -> Produce:
    async def remove() -> Response:
        await writes.remove(queue, ref)
        return private_empty()

    return remove
