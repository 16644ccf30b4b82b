"""The proxy's public JSON contract: pydantic models, one module per resource group.

Lists are always arrays, numbers numbers, booleans booleans, times aware UTC datetimes; ids are
short and stable (`movies/60010110`) with the full `ref` URL beside them.
"""

from __future__ import annotations

from service.schemas.auth import RequestToken
from service.schemas.common import Page
from service.schemas.people import Person, PersonPage, PersonRef
from service.schemas.queues import QueueEntry, QueuePage, QueueSort, QueueState, QueueType
from service.schemas.ratings import Rating, RatingKind, RatingValue
from service.schemas.rentals import RentalEntry, RentalKind, RentalPage
from service.schemas.titles import (
    Availability,
    Award,
    IndexTitle,
    LanguageAudio,
    MaturityRating,
    ScreenFormat,
    Suggestions,
    Title,
    TitleKind,
    TitleLink,
    TitlePage,
    TitlePart,
)
from service.schemas.users import Feed, TitleState, TitleStateItem, User

__all__ = [
    "Availability",
    "Award",
    "Feed",
    "IndexTitle",
    "LanguageAudio",
    "MaturityRating",
    "Page",
    "Person",
    "PersonPage",
    "PersonRef",
    "QueueEntry",
    "QueuePage",
    "QueueSort",
    "QueueState",
    "QueueType",
    "Rating",
    "RatingKind",
    "RatingValue",
    "RentalEntry",
    "RentalKind",
    "RentalPage",
    "RequestToken",
    "ScreenFormat",
    "Suggestions",
    "Title",
    "TitleKind",
    "TitleLink",
    "TitlePage",
    "TitlePart",
    "TitleState",
    "TitleStateItem",
    "User",
]
