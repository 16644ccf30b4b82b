"""Shapes shared by every resource group: the schema base class and paginated collections."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

T = TypeVar("T")


class Schema(BaseModel):
    """Base of every public model: immutable, and unknown fields are a bug, not data."""

    model_config = ConfigDict(frozen=True, extra="forbid")


def _whole_number(value: Any) -> Any:
    """JSON has one number type: `3.0` is the integer 3, as JSON Schema counts it; 3.5 is not."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# Marks an integer of a request body: strict (no `true`, no `"3"`), but `3.0` counts as 3.
# It goes after the field's bounds: `Annotated[int, Field(ge=1), WHOLE_NUMBER]`.
WHOLE_NUMBER = BeforeValidator(_whole_number)


class RequestBody(Schema):
    """Base of request bodies: strict, so `true` or `"3"` is refused where a number belongs."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


class Page(Schema, Generic[T]):
    """One page of a collection; `next` is the start_index of the following page, or null."""

    items: list[T]
    total: int = Field(ge=0, description="Number of results in the whole collection.")
    start_index: int = Field(ge=0, description="Zero-based offset of the first item.")
    page_size: int = Field(ge=0, description="Page size the upstream applied.")
    next: int | None = Field(description="start_index of the next page; null on the last one.")
