"""A subscriber's ratings: actual, predicted, or whichever exists."""

from __future__ import annotations

import enum
from typing import Annotated, Literal

from pydantic import Field

from service.schemas.common import Schema


class RatingKind(enum.StrEnum):
    """Which ratings to read: the subscriber's own, Netflix's prediction, or own-else-predicted."""

    ACTUAL = "actual"
    PREDICTED = "predicted"
    ANY = "any"


# A star rating (1-5), or `not_interested` (the one special value Netflix documented).
RatingValue = Annotated[int, Field(ge=1, le=5)] | Literal["not_interested"]


class Rating(Schema):
    """Ratings of one title; `user_rating` is null when the subscriber has not rated it."""

    id: str
    ref: str
    title: str | None = None
    average_rating: float | None = None
    predicted_rating: float | None = None
    user_rating: float | None = None
    not_interested: bool = False
