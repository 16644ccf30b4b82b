"""Rental history and discs at home: shipped, returned and (instant) watched records."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from emulator.catalog.data import Title

HISTORY_KINDS = ("shipped", "returned", "watched")
# Discs took about two days to arrive by mail.
TRANSIT_S = 2 * 86400


@dataclass(slots=True)
class Rental:
    """One disc shipment or one instant viewing, with the dates the API reported."""

    title: Title
    format: str
    shipped_date: int | None = None
    returned_date: int | None = None
    watched_date: int | None = None
    viewed_time: int | None = None

    @property
    def updated(self) -> int:
        """The latest date on the record, for `updated_min` filtering and ordering."""
        return max(
            d
            for d in (self.shipped_date, self.returned_date, self.watched_date, 0)
            if d is not None
        )

    @property
    def estimated_arrival_date(self) -> int | None:
        """When a shipped disc should arrive."""
        return None if self.shipped_date is None else self.shipped_date + TRANSIT_S


@dataclass(slots=True)
class RentalHistory:
    """All rentals of one subscriber, newest first."""

    rentals: list[Rental] = field(default_factory=list)

    def of_kind(self, kind: str | None) -> list[Rental]:
        """All rentals (None), or those `shipped`, `returned` or `watched`, newest first."""
        if kind == "shipped":
            chosen = [r for r in self.rentals if r.shipped_date is not None]
        elif kind == "returned":
            chosen = [r for r in self.rentals if r.returned_date is not None]
        elif kind == "watched":
            chosen = [r for r in self.rentals if r.watched_date is not None]
        else:
            chosen = list(self.rentals)
        return sorted(chosen, key=lambda r: r.updated, reverse=True)

    def at_home(self) -> list[Rental]:
        """Discs shipped and not yet returned."""
        return [r for r in self.of_kind("shipped") if r.returned_date is None]

    def at_home_ids(self) -> frozenset[int]:
        """Title ids currently at home (a queue add of one of them fails with 690)."""
        return frozenset(r.title.id for r in self.at_home())
