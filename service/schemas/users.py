"""The subscriber: profile, feeds and per-title states."""

from __future__ import annotations

import enum
from typing import Literal

from pydantic import Field

from service.schemas.common import Schema
from service.schemas.queues import QueueType
from service.schemas.titles import TitleFormat

# How a batch read (`titles=...`) answers each title: `unknown_title` when Netflix does not
# know it (the entry's other fields are then empty), so one bad title does not fail the rest.
TitleStatus = Literal["ok", "unknown_title"]
TITLE_STATUS_DESCRIPTION = (
    "`ok`, or `unknown_title` when Netflix does not know the title asked for (the other "
    "fields are then empty)."
)


class User(Schema):
    """A subscriber's profile."""

    user_id: str
    first_name: str
    last_name: str
    nickname: str | None = None
    can_instant_watch: bool
    preferred_formats: list[TitleFormat] = Field(default_factory=list)
    max_maturity_level: int | None = None


class Feed(Schema):
    """An RSS/Atom feed the subscriber can read without signing (the URL carries its token)."""

    name: str
    rel: str
    url: str


class TitleAction(enum.StrEnum):
    """What a title state says the subscriber can do (upstream: Play, Add, In Queue...)."""

    PLAY = "play"
    ADD = "add"
    IN_QUEUE = "in_queue"
    AT_HOME = "at_home"


class TitleStateItem(Schema):
    """What the subscriber can do with one format of a title (Play, Add, In Queue, At Home...)."""

    queue: QueueType | None = None
    format: TitleFormat | None = None
    preferred: bool = False
    states: list[TitleAction] = Field(default_factory=list)


class TitleState(Schema):
    """The subscriber's relation to one title, per format."""

    id: str
    ref: str
    items: list[TitleStateItem] = Field(default_factory=list)
    status: TitleStatus = Field("ok", description=TITLE_STATUS_DESCRIPTION)
