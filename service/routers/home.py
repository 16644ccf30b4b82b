"""The home screen in one call: `GET /v1/me/home` (see `service.usecases.home`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from pydantic import Field

from service.deps import UserReadsDep
from service.routers.queues import USER_ERRORS, no_store
from service.schemas.home import HomeScreen
from service.schemas.patterns import HOME_SECTIONS
from service.usecases.home import (
    DEFAULT_HOME_PAGE_SIZE,
    MAX_HOME_PAGE_SIZE,
    home_screen,
    known_names,
    parse_sections,
)

router = APIRouter(
    prefix="/v1/me", tags=["users"], responses=USER_ERRORS, dependencies=[Depends(no_store)]
)

_COST = (
    "Each section costs one upstream call (all six: six calls), made concurrently within the "
    "subscriber's upstream budget: the first calls leave at once and the budget paces the "
    "others into the next second, so the answer takes about as long as the slowest section "
    "(plus that wait when the budget is short). A section that fails is null and its problem "
    "document is in `problems`, keyed by section; the others are served. When every section "
    "asked for fails, the answer is the first one's problem (e.g. 429 with Retry-After)."
)


@router.get(
    "/home",
    operation_id="get_home",
    response_model=HomeScreen,
    summary="Get the home screen",
    description="Profile, the first page of the disc and instant queues, discs at home, the "
    "newest rental history and recommendations, in one answer. " + _COST,
)
async def get_home(
    reads: UserReadsDep,
    response: Response,
    sections: Annotated[
        list[Annotated[str, Field(pattern=HOME_SECTIONS.regex)]] | None,
        Query(
            description="Sections to read, comma-separated (or the parameter repeated); all "
            f"when absent. One of: {', '.join(known_names())}.",
            examples=[["profile,disc_queue"]],
        ),
    ] = None,
    page_size: Annotated[
        int,
        Query(
            ge=1,
            le=MAX_HOME_PAGE_SIZE,
            description="Entries per page of the queue, rental history and recommendation "
            "sections (1 to 100).",
        ),
    ] = DEFAULT_HOME_PAGE_SIZE,
) -> Response:
    """The home screen, written by the use case as `HomeScreen` would write it (with the
    headers the reads dependency set: private, and `X-Cache`)."""
    wanted = parse_sections(sections)
    screen = await home_screen(reads, wanted, page_size=page_size)
    return Response(screen, media_type="application/json", headers=dict(response.headers))
