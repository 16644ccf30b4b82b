"""A subscriber's disc and instant queues."""

from __future__ import annotations

import enum
from datetime import datetime

from pydantic import Field

from service.schemas.common import Page, Schema
from service.schemas.titles import Title, TitleFormat


class QueueType(enum.StrEnum):
    """Which queue: DVD/Blu-ray by mail, or instant streaming."""

    DISC = "disc"
    INSTANT = "instant"


class QueueState(enum.StrEnum):
    """Available entries ship/play in order; saved ones wait for a release."""

    AVAILABLE = "available"
    SAVED = "saved"


class QueueSort(enum.StrEnum):
    """Orderings the upstream offers for a queue listing."""

    QUEUE_SEQUENCE = "queue_sequence"
    DATE_ADDED = "date_added"
    ALPHABETICAL = "alphabetical"


class QueueEntry(Schema):
    """One title in a queue; `position` is 1-based and null for saved entries."""

    queue: QueueType
    state: QueueState
    position: int | None = Field(default=None, ge=1)
    queued_format: TitleFormat | None = Field(
        default=None, description="The format the title was queued in."
    )
    availability: str | None = Field(
        default=None, description="Lower case, e.g. 'available now' or 'saved'."
    )
    updated_at: datetime | None = None
    title: Title


class QueuePage(Page[QueueEntry]):
    """A page of queue entries, in the order asked for."""
