"""A subscriber's title ratings: actual ones they set, and deterministic predicted ones.

Rating ids are the rated title's id, so `…/ratings/title/actual/{rating_id}` stays stable
across updates. Values are `1`..`5` or `not_interested`, as the API documented.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from emulator.http import NetflixError

if TYPE_CHECKING:
    from emulator.catalog.data import Title

RATING_VALUES = ("1", "2", "3", "4", "5", "not_interested")


@dataclass(slots=True)
class Rating:
    """One actual rating a subscriber set."""

    title: Title
    value: str
    updated: int

    @property
    def rating_id(self) -> int:
        """The rating's id (the title id)."""
        return self.title.id


def parse_rating(raw: str | None) -> str:
    """Validate a `rating` parameter; 400 "rating is invalid" otherwise."""
    value = (raw or "").strip().lower()
    if value.endswith(".0"):
        value = value[:-2]
    if value not in RATING_VALUES:
        raise NetflixError(400, "rating is invalid")
    return value


@dataclass(slots=True)
class Ratings:
    """Actual ratings by title id, plus the seed that fixes predicted ones."""

    seed: str = ""
    actual: dict[int, Rating] = field(default_factory=dict)
    _predicted: dict[int, float] = field(default_factory=dict, repr=False)

    def create(self, title: Title, value: str, now: int) -> Rating:
        """Rate a title for the first time; 400 when it is already rated (update with PUT)."""
        if title.id in self.actual:
            raise NetflixError(400, "Title is already rated")
        rating = self.actual[title.id] = Rating(title, value, now)
        return rating

    def update(self, rating_id: int, value: str, now: int) -> Rating:
        """Change an existing rating; 404 when there is none with this id."""
        rating = self.actual.get(rating_id)
        if rating is None:
            raise NetflixError(404, "Resource not found")
        rating.value = value
        rating.updated = now
        return rating

    def predicted(self, title: Title) -> float:
        """A stable predicted rating near the title's average (1.0 to 5.0, one decimal)."""
        cached = self._predicted.get(title.id)
        if cached is not None:
            return cached
        digest = hashlib.sha1(f"{self.seed}:{title.id}".encode()).digest()  # noqa: S324
        offset = (digest[0] / 255.0 - 0.5) * 1.6
        value = self._predicted[title.id] = round(
            min(5.0, max(1.0, float(title.average_rating) + offset)), 1
        )
        return value
