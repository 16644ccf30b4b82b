"""The signed-in subscriber: profile, feeds, title states, history, ratings, recommendations.

Every handler acts for the caller's session only (`CurrentSession`): the user id and access
token come from the session, never from the request. Answers are marked
`Cache-Control: private, no-store` and never enter the shared response cache.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from pydantic import Field

from service.deps import ClientDep, CurrentSession, SettingsDep
from service.idempotency import IdempotentDep
from service.netflix.client import NetflixClient
from service.netflix.refs import TitleRef
from service.responses import private_json
from service.routers.catalog import TitleId, TitleKindPath
from service.routers.queues import USER_ERRORS, WRITE_ERRORS, no_store
from service.schemas.common import RequestBody
from service.schemas.patterns import TITLE_REF_LIST
from service.schemas.ratings import Rating, RatingKind, RatingValue
from service.schemas.rentals import RentalEntry, RentalKind, RentalPage
from service.schemas.titles import TitlePage
from service.schemas.users import Feed, TitleState, User
from service.settings import Settings
from service.store.sessions import Session
from service.usecases.batching import MAX_TITLES_PER_REQUEST, parse_ref_list, split_title_param

router = APIRouter(
    prefix="/v1/me", tags=["users"], responses=USER_ERRORS, dependencies=[Depends(no_store)]
)

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 25

StartIndex = Annotated[
    int, Query(ge=0, le=100_000, description="Zero-based offset of the first result.")
]
PageSize = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Results per page (1 to 100).")]
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
    response_model=User,
    summary="Get the subscriber's profile",
    description="Name, nickname, instant-watch eligibility and preferred formats of "
    "the signed-in subscriber.",
)
async def get_profile(session: CurrentSession, client: ClientDep) -> User:
    """The caller's profile."""
    return await client.for_subscriber(session).user()


@router.get(
    "/feeds",
    operation_id="list_feeds",
    response_model=list[Feed],
    summary="List the subscriber's feeds",
    description="RSS/Atom feeds (queue, at home, recommendations...) whose URLs carry "
    "their own feed token and can be read without signing.",
)
async def list_feeds(session: CurrentSession, client: ClientDep) -> list[Feed]:
    """The caller's feeds."""
    return await client.for_subscriber(session).feeds()


@router.get(
    "/title-states",
    operation_id="get_title_states",
    response_model=list[TitleState],
    summary="Get what the subscriber can do with titles",
    description="For many titles at once: per format, whether the title is in a queue, "
    "at home, playable, addable... Titles are validated one by one; the "
    "upstream is asked in chunks.",
)
async def get_title_states(
    session: CurrentSession, client: ClientDep, settings: SettingsDep, titles: Titles
) -> list[TitleState]:
    """Title states."""
    refs = _refs(titles, settings)
    return await client.for_subscriber(session).title_states(refs)


@router.get(
    "/rental-history",
    operation_id="list_rental_history",
    response_model=RentalPage,
    summary="List the rental history",
    description="Discs shipped and returned and titles watched, newest first, one page "
    "at a time; `kind` narrows it.",
)
async def list_rental_history(
    session: CurrentSession,
    client: ClientDep,
    kind: Annotated[RentalKind, Query(description="Which part of the history.")] = RentalKind.ALL,
    start_index: StartIndex = 0,
    page_size: PageSize = DEFAULT_PAGE_SIZE,
) -> RentalPage:
    """Rental history."""
    return await client.for_subscriber(session).rental_history(
        kind, start_index=start_index, max_results=page_size
    )


@router.get(
    "/at-home",
    operation_id="list_at_home",
    response_model=list[RentalEntry],
    summary="List the discs at home",
    description="Discs shipped to the subscriber and not yet returned, with their "
    "shipping dates and estimated arrival.",
)
async def list_at_home(session: CurrentSession, client: ClientDep) -> list[RentalEntry]:
    """Discs at home."""
    return await client.for_subscriber(session).at_home()


@router.get(
    "/ratings",
    operation_id="get_ratings",
    response_model=list[Rating],
    summary="Get the subscriber's ratings of titles",
    description="For many titles at once: the subscriber's own rating (`actual`), "
    "Netflix's prediction (`predicted`), or the own rating when there is "
    "one and the prediction otherwise (`any`).",
)
async def get_ratings(
    session: CurrentSession,
    client: ClientDep,
    settings: SettingsDep,
    titles: Titles,
    kind: Annotated[RatingKind, Query(description="Which ratings.")] = RatingKind.ANY,
) -> list[Rating]:
    """Ratings."""
    refs = _refs(titles, settings)
    return await client.for_subscriber(session).ratings(refs, kind=kind)


@router.put(
    "/ratings/{kind}/{title_id}",
    operation_id="set_rating",
    response_model=Rating,
    summary="Rate a title",
    responses=WRITE_ERRORS,
    description="Sets the subscriber's rating of a title (1 to 5 stars or "
    "`not_interested`), creating it or replacing the previous one.",
)
async def set_rating(
    session: CurrentSession,
    client: ClientDep,
    kind: TitleKindPath,
    title_id: TitleId,
    body: RatingUpdate,
    once: IdempotentDep,
) -> Response:
    """Rate a title."""
    return await once(lambda: _rate(client, session, TitleRef(kind, title_id), body.rating))


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
    session: CurrentSession,
    client: ClientDep,
    series_id: TitleId,
    season_id: TitleId,
    body: RatingUpdate,
    once: IdempotentDep,
) -> Response:
    """Rate a season."""
    ref = TitleRef("series", series_id, season_id)
    return await once(lambda: _rate(client, session, ref, body.rating))


async def _rate(
    client: NetflixClient, session: Session, ref: TitleRef, value: RatingValue
) -> Response:
    rating = await client.for_subscriber(session).set_rating(ref, value)
    return private_json(rating)


@router.get(
    "/recommendations",
    operation_id="list_recommendations",
    response_model=TitlePage,
    summary="List recommendations",
    description="Titles Netflix recommends to the subscriber, one page at a time.",
)
async def list_recommendations(
    session: CurrentSession,
    client: ClientDep,
    start_index: StartIndex = 0,
    page_size: PageSize = DEFAULT_PAGE_SIZE,
) -> TitlePage:
    """Recommendations."""
    return await client.for_subscriber(session).recommendations(
        start_index=start_index, max_results=page_size
    )
