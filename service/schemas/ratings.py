"""A subscriber's ratings: actual, predicted, or whichever exists."""

from __future__ import annotations

import enum
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, ValidatorFunctionWrapHandler, WrapValidator
from pydantic_core import PydanticCustomError

from service.schemas.common import WHOLE_NUMBER, Schema
from service.schemas.users import TITLE_STATUS_DESCRIPTION, TitleStatus


class RatingKind(enum.StrEnum):
    """Which ratings to read: the subscriber's own, Netflix's prediction, or own-else-predicted."""

    ACTUAL = "actual"
    PREDICTED = "predicted"
    ANY = "any"


def _one_rating_error(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """One readable error for the whole union instead of one per member."""
    try:
        return handler(value)
    except ValidationError:
        raise PydanticCustomError(
            "rating", 'must be an integer from 1 to 5 or "not_interested"'
        ) from None


# A star rating (1-5), or `not_interested` (the one special value Netflix documented).
RatingValue = Annotated[
    Annotated[int, Field(ge=1, le=5), WHOLE_NUMBER] | Literal["not_interested"],
    WrapValidator(_one_rating_error),
]


class Rating(Schema):
    """Ratings of one title; `user_rating` is null when the subscriber has not rated it."""

    id: str
    ref: str
    title: str | None = None
    average_rating: float | None = None
    predicted_rating: float | None = None
    user_rating: float | None = None
    not_interested: bool = False
    status: TitleStatus = Field("ok", description=TITLE_STATUS_DESCRIPTION)
