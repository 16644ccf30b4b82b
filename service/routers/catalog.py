"""Catalog endpoints: title and people searches, details, similars, autocomplete, the index.

No session is needed. Every read except the index stream is cached (see `service.usecases.catalog`)
and answers `X-Cache` (HIT, MISS, STALE or BYPASS) and `Age` headers.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response, StreamingResponse

from service import catalog_reads
from service.catalog_reads import API_PREFIX, CatalogRead, parse_include
from service.deps import RuntimeDep
from service.errors import InvalidInput, problem_responses
from service.limits import (
    DEFAULT_PAGE_SIZE,
    MAX_ID,
    MAX_PAGE_SIZE,
    MAX_START_INDEX,
    MAX_TERM_LENGTH,
    TitleCollection,
)
from service.netflix.refs import TitleRef
from service.responses import NDJSON_MEDIA_TYPE
from service.schemas.patterns import INCLUDE, SEARCH_TERM
from service.schemas.people import Person, PersonPage
from service.schemas.titles import (
    SeasonPage,
    Suggestions,
    Title,
    TitlePage,
    TitlePart,
)
from service.store.cache import CacheResult
from service.usecases.catalog import CatalogReads

# No session, no lock, no store required (the cache is bypassed when Redis is down).
router = APIRouter(
    prefix=API_PREFIX, tags=["catalog"], responses=problem_responses(404, 422, 429, 502, 504)
)

# Path parameters naming a title; the user and queue routes use them too. The kind is a named
# schema so that generated clients share one type for it instead of one per operation.
TitleKindPath = Annotated[
    TitleCollection, Path(description="Title kind, the first half of a short id.")
]
TitleId = Annotated[int, Path(ge=1, le=MAX_ID, description="Numeric title id.")]

_Handler = TypeVar("_Handler", bound=Callable[..., Coroutine[Any, Any, Response]])
_CACHE_HEADERS = {
    "X-Cache": {
        "description": "HIT, MISS, STALE (upstream failed, older copy) or BYPASS "
        "(cache unavailable).",
        "schema": {"type": "string"},
    },
    "Age": {
        "description": "Seconds since the answer was fetched upstream.",
        "schema": {"type": "integer"},
    },
}


def _cached(description: str) -> dict[int | str, dict[str, object]]:
    return {200: {"description": description, "headers": _CACHE_HEADERS}}


def _cached_read(read: CatalogRead, **details: Any) -> Callable[[_Handler], _Handler]:
    """Register a handler at its read's declared path, under its declared operation id."""
    return router.get(read.route, operation_id=read.operation_id, **details)


async def get_reads(runtime: RuntimeDep) -> CatalogReads:
    """The catalog use cases bound to this app's client, cache and front tier."""
    return CatalogReads(runtime.client, runtime.cache, runtime.front, runtime.settings)


Reads = Annotated[CatalogReads, Depends(get_reads)]

Term = Annotated[
    str,
    Query(
        min_length=1,
        pattern=SEARCH_TERM.regex,
        max_length=MAX_TERM_LENGTH,
        description="Words to look for (case and extra spaces ignored).",
        examples=["Jurassic Park"],
    ),
]
StartIndex = Annotated[
    int,
    Query(ge=0, le=MAX_START_INDEX, description="Zero-based offset of the first result."),
]
PageSize = Annotated[
    int, Query(ge=1, le=MAX_PAGE_SIZE, description=f"Results per page (1 to {MAX_PAGE_SIZE}).")
]
Include = Annotated[
    str | None,
    Query(
        pattern=INCLUDE.regex,
        description="Parts to inline, comma-separated: "
        + ", ".join(part.value for part in TitlePart)
        + ".",
        examples=["synopsis,cast"],
    ),
]


def _respond(result: CacheResult) -> Response:
    return Response(
        result.body,
        media_type="application/json",
        headers={"X-Cache": result.status, "Age": str(result.age_s)},
    )


def _term(term: str) -> str:
    if not term.strip():
        raise InvalidInput("term must contain something other than spaces")
    return term


@_cached_read(
    catalog_reads.SEARCH_TITLES,
    response_model=TitlePage,
    summary="Search titles",
    description="Titles whose name matches `term`, best match first, one page at a time. "
    "`include` inlines parts (synopsis, cast...) in each title. The answer is "
    "cached; `X-Cache` and `Age` say how fresh it is.",
    responses=_cached("A page of matching titles."),
)
async def search_titles(
    reads: Reads,
    term: Term,
    start_index: StartIndex = 0,
    page_size: PageSize = DEFAULT_PAGE_SIZE,
    include: Include = None,
) -> Response:
    """Title search."""
    return _respond(
        await reads.search_titles(
            term=_term(term),
            start_index=start_index,
            page_size=page_size,
            include=parse_include(include),
        )
    )


@_cached_read(
    catalog_reads.AUTOCOMPLETE,
    response_model=Suggestions,
    summary="Suggest titles while typing",
    description="Up to 10 short titles starting like `term`, for type-ahead boxes. Cached.",
    responses=_cached("Suggested short titles, best first."),
)
async def autocomplete_titles(reads: Reads, term: Term) -> Response:
    """Autocomplete."""
    return _respond(await reads.autocomplete(term=_term(term)))


@_cached_read(
    catalog_reads.GET_SEASON,
    response_model=Title,
    summary="Get one season of a series",
    description="A season with its `season_number`; `include=episodes,discs` lists its "
    "episodes (`programs/...` ids, with episode numbers) and discs (`discs/...`), usable "
    "wherever a title is accepted; `include` inlines other parts in the same answer. Cached.",
    responses=_cached("The season."),
)
async def get_season(
    reads: Reads, series_id: TitleId, season_id: TitleId, include: Include = None
) -> Response:
    """One season."""
    ref = TitleRef("series", series_id, season_id)
    return _respond(await reads.get_title(ref=ref, include=parse_include(include)))


@_cached_read(
    catalog_reads.LIST_SEASONS,
    response_model=SeasonPage,
    summary="List the seasons of a series",
    description="A series' seasons in order, one page at a time, each with its number, year "
    "and episode count; a season's id opens it (`get_season`). Cached.",
    responses=_cached("A page of seasons."),
)
async def list_seasons(
    reads: Reads,
    series_id: TitleId,
    start_index: StartIndex = 0,
    page_size: PageSize = DEFAULT_PAGE_SIZE,
) -> Response:
    """Seasons of a series."""
    return _respond(
        await reads.list_seasons(series_id=series_id, start_index=start_index, page_size=page_size)
    )


@_cached_read(
    catalog_reads.GET_TITLE,
    response_model=Title,
    summary="Get one title",
    description="A movie, series, program or disc by short id (e.g. `movies/60010110`). "
    "`include` gathers sub-resources (synopsis, cast, directors, formats, "
    "screen_formats, languages, awards; a series' seasons with their episode counts) in one "
    "call. Cached.",
    responses=_cached("The title."),
)
async def get_title(
    reads: Reads, kind: TitleKindPath, title_id: TitleId, include: Include = None
) -> Response:
    """One title."""
    ref = TitleRef(kind, title_id)
    return _respond(await reads.get_title(ref=ref, include=parse_include(include)))


@_cached_read(
    catalog_reads.LIST_SIMILAR,
    response_model=TitlePage,
    summary="List similar titles",
    description="Titles Netflix considered similar to this one, one page at a time. Cached.",
    responses=_cached("A page of similar titles."),
)
async def list_similar_titles(
    reads: Reads,
    kind: TitleKindPath,
    title_id: TitleId,
    start_index: StartIndex = 0,
    page_size: PageSize = DEFAULT_PAGE_SIZE,
) -> Response:
    """Similar titles."""
    ref = TitleRef(kind, title_id)
    return _respond(
        await reads.similar_titles(ref=ref, start_index=start_index, page_size=page_size)
    )


@_cached_read(
    catalog_reads.SEARCH_PEOPLE,
    response_model=PersonPage,
    summary="Search people",
    description="Actors and directors whose name matches `term`, one page at a time. Cached.",
    responses=_cached("A page of matching people."),
)
async def search_people(
    reads: Reads,
    term: Term,
    start_index: StartIndex = 0,
    page_size: PageSize = DEFAULT_PAGE_SIZE,
) -> Response:
    """People search."""
    return _respond(
        await reads.search_people(term=_term(term), start_index=start_index, page_size=page_size)
    )


@_cached_read(
    catalog_reads.GET_PERSON,
    response_model=Person,
    summary="Get one person",
    description="A person with biography and filmography. Cached.",
    responses=_cached("The person."),
)
async def get_person(
    reads: Reads,
    person_id: Annotated[int, Path(ge=1, le=MAX_ID, description="Numeric person id.")],
) -> Response:
    """One person."""
    return _respond(await reads.get_person(person_id=person_id))


@router.get(
    "/catalog/index",
    operation_id="stream_index",
    summary="Stream the whole catalog",
    description="Every title of the catalog as newline-delimited JSON (one `IndexTitle` object "
    "per line), streamed from the upstream index as it arrives. Not cached; meant "
    "for bulk imports, and counted against the upstream's small daily budget. A failure "
    "before the first line answers a problem document; a failure later ends the stream with "
    'one last line `{"error": <Problem>}` (title lines never have `error`): check the last '
    "line before trusting the stream as complete.",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "One IndexTitle JSON object per line; when the stream broke off, a "
            'last line `{"error": <Problem>}`.',
            # A byte stream, not one JSON document: generated clients hand it over as is and
            # the caller reads it line by line (`IndexTitle` in the components).
            "content": {
                NDJSON_MEDIA_TYPE: {
                    "schema": {
                        "type": "string",
                        "format": "binary",
                        "description": "Lines of JSON, each an IndexTitle.",
                    }
                }
            },
        }
    },
)
async def stream_index(reads: Reads) -> StreamingResponse:
    """The catalog index as NDJSON."""
    return StreamingResponse(await reads.index_lines(), media_type=NDJSON_MEDIA_TYPE)
