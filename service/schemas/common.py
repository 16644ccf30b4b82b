"""Shapes shared by every resource group: the schema base class and paginated collections."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class Schema(BaseModel):
    """Base of every public model: immutable, and unknown fields are a bug, not data."""

    model_config = ConfigDict(frozen=True, extra="forbid")


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
