"""Rental history and titles at home (removed upstream in September 2012, kept for emulators)."""

from __future__ import annotations

import enum
from datetime import datetime

from service.schemas.common import Page, Schema
from service.schemas.titles import Title


class RentalKind(enum.StrEnum):
    """Which part of the history: everything, discs shipped or returned, titles watched."""

    ALL = "all"
    SHIPPED = "shipped"
    RETURNED = "returned"
    WATCHED = "watched"


class RentalEntry(Schema):
    """One rental event; dates absent upstream are null."""

    title: Title
    shipped_at: datetime | None = None
    returned_at: datetime | None = None
    watched_at: datetime | None = None
    estimated_arrival_at: datetime | None = None
    viewed_time_s: int | None = None


class RentalPage(Page[RentalEntry]):
    """A page of rental history."""
