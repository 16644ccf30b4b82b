"""The signed-in subscriber: profile, feeds, title states, history, ratings, recommendations.

Every handler acts for the caller's session only: the user id and access token come from the
session, never from the request. Reads go through the per-subscriber cache
(`usecases.user_reads`) and answer `X-Cache` and `Cache-Control: private, no-cache`; writes
drop what they change from it and answer `Cache-Control: private, no-store`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from pydantic import Field

from service.deps import SettingsDep, UserReadsDep
from service.idempotency import IdempotentDep
from service.limits import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, MAX_START_INDEX
from service.netflix.refs import TitleRef
from service.responses import private_json
from service.routers.catalog import TitleId, TitleKindPath
from service.routers.queues import USER_ERRORS, USER_READ, WRITE_ERRORS, no_store
from service.schemas.common import RequestBody
from service.schemas.patterns import TITLE_REF_LIST
from service.schemas.ratings import Rating, RatingKind, RatingValue
from service.schemas.rentals import RentalEntry, RentalKind, RentalPage
from service.schemas.titles import TitlePage
from service.schemas.users import Feed, TitleState, User
from service.settings import Settings
from service.usecases.batching import MAX_TITLES_PER_REQUEST, parse_ref_list, split_title_param
from service.usecases.user_reads import UserReads

router = APIRouter(
    prefix="/v1/me", tags=["users"], responses=USER_ERRORS, dependencies=[Depends(no_store)]
)

StartIndex = Annotated[
    int, Query(ge=0, le=MAX_START_INDEX, description="Zero-based offset of the first result.")
]
PageSize = Annotated[
    int, Query(ge=1, le=MAX_PAGE_SIZE, description=f"Results per page (1 to {MAX_PAGE_SIZE}).")
]
Titles = Annotated[
    list[Annotated[str, Field(pattern=TITLE_REF_LIST.regex)]],
    Query(
        min_length=1,
        description=f"Titles as short ids or title URLs, comma-separated (or the parameter "
        f"repeated); at most {MAX_TITLES_PER_REQUEST}.",
        examples=[["movies/60010110,movies/70117293"]],
    ),
]


class RatingUpdate(RequestBody):
    """A star rating from 1 to 5, or `not_interested`."""

    rating: RatingValue = Field(
        description="1 to 5 stars, or `not_interested`.", examples=[4, "not_interested"]
    )


def _refs(values: list[str], settings: Settings) -> list[TitleRef]:
    return parse_ref_list(split_title_param(values), settings, what="titles")


@router.get(
    "",
    operation_id="get_profile",
    responses=USER_READ,
    response_model=User,
    summary="Get the subscriber's profile",
    description="Name, nickname, instant-watch eligibility and preferred formats of "
    "the signed-in subscriber.",
)
async def get_profile(reads: UserReadsDep) -> User:
    """The caller's profile."""
    return await reads.profile()


@router.get(
    "/feeds",
    operation_id="list_feeds",
    responses=USER_READ,
    response_model=list[Feed],
    summary="List the subscriber's feeds",
    description="RSS/Atom feeds (queue, at home, recommendations...) whose URLs carry "
    "their own feed token and can be read without signing.",
)
async def list_feeds(reads: UserReadsDep) -> list[Feed]:
    """The caller's feeds."""
    return await reads.feeds()


@router.get(
    "/title-states",
    operation_id="get_title_states",
    responses=USER_READ,
    response_model=list[TitleState],
    summary="Get what the subscriber can do with titles",
    description="For many titles at once, in the order asked: per format, whether the title "
    "is in a queue, at home, playable, addable... Titles are validated one by one; the "
    "upstream is asked in chunks. A title Netflix does not know gets an entry with "
    '`status: "unknown_title"` instead of failing the request.',
)
async def get_title_states(
    reads: UserReadsDep, settings: SettingsDep, titles: Titles
) -> list[TitleState]:
    """Title states."""
    return await reads.title_states(_refs(titles, settings))


@router.get(
    "/rental-history",
    operation_id="list_rental_history",
    responses=USER_READ,
    response_model=RentalPage,
    summary="List the rental history",
    description="Discs shipped and returned and titles watched, newest first, one page "
    "at a time; `kind` narrows it.",
)
async def list_rental_history(
    reads: UserReadsDep,
    kind: Annotated[RentalKind, Query(description="Which part of the history.")] = RentalKind.ALL,
    start_index: StartIndex = 0,
    page_size: PageSize = DEFAULT_PAGE_SIZE,
) -> RentalPage:
    """Rental history."""
    return await reads.rental_history(kind, start_index=start_index, max_results=page_size)


@router.get(
    "/at-home",
    operation_id="list_at_home",
    responses=USER_READ,
    response_model=list[RentalEntry],
    summary="List the discs at home",
    description="Discs shipped to the subscriber and not yet returned, with their "
    "shipping dates and estimated arrival.",
)
async def list_at_home(reads: UserReadsDep) -> list[RentalEntry]:
    """Discs at home."""
    return await reads.at_home()


@router.get(
    "/ratings",
    operation_id="get_ratings",
    responses=USER_READ,
    response_model=list[Rating],
    summary="Get the subscriber's ratings of titles",
    description="For many titles at once, in the order asked: the subscriber's own rating "
    "(`actual`), Netflix's prediction (`predicted`), or the own rating when there is "
    "one and the prediction otherwise (`any`); a title without one is left out. A title "
    'Netflix does not know gets an entry with `status: "unknown_title"` instead of failing '
    "the request.",
)
async def get_ratings(
    reads: UserReadsDep,
    settings: SettingsDep,
    titles: Titles,
    kind: Annotated[RatingKind, Query(description="Which ratings.")] = RatingKind.ANY,
) -> list[Rating]:
    """Ratings."""
    return await reads.ratings(_refs(titles, settings), kind=kind)


@router.put(
    "/ratings/{kind}/{title_id}",
    operation_id="set_rating",
    response_model=Rating,
    summary="Rate a title",
    responses=WRITE_ERRORS,
    description="Sets the subscriber's rating of a title (1 to 5 stars or "
    "`not_interested`), creating it or replacing the previous one. 404 `unknown-title` "
    "when Netflix does not know the title.",
)
async def set_rating(
    reads: UserReadsDep,
    kind: TitleKindPath,
    title_id: TitleId,
    body: RatingUpdate,
    once: IdempotentDep,
) -> Response:
    """Rate a title."""
    return await once(lambda: _rate(reads, TitleRef(kind, title_id), body.rating))


@router.put(
    "/ratings/series/{series_id}/seasons/{season_id}",
    operation_id="set_season_rating",
    response_model=Rating,
    summary="Rate a season",
    responses=WRITE_ERRORS,
    description="Like `PUT /v1/me/ratings/{kind}/{title_id}`, for one season of a series "
    "(`series/{series_id}/seasons/{season_id}`).",
)
async def set_season_rating(
    reads: UserReadsDep,
    series_id: TitleId,
    season_id: TitleId,
    body: RatingUpdate,
    once: IdempotentDep,
) -> Response:
    """Rate a season."""
    ref = TitleRef("series", series_id, season_id)
    return await once(lambda: _rate(reads, ref, body.rating))


async def _rate(reads: UserReads, ref: TitleRef, value: RatingValue) -> Response:
    return private_json(await reads.set_rating(ref, value))


@router.get(
    "/recommendations",
    operation_id="list_recommendations",
    responses=USER_READ,
    response_model=TitlePage,
    summary="List recommendations",
    description="Titles Netflix recommends to the subscriber, one page at a time.",
)
async def list_recommendations(
    reads: UserReadsDep,
    start_index: StartIndex = 0,
    page_size: PageSize = DEFAULT_PAGE_SIZE,
) -> TitlePage:
    """Recommendations."""
    return await reads.recommendations(start_index=start_index, max_results=page_size)
