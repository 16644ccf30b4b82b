"""Which queue a title may join and in which format, from the catalog's delivery formats."""

from __future__ import annotations

from typing import TYPE_CHECKING

from emulator.catalog.model import BLU_RAY, DVD, INSTANT, MOVIES, SEASONS, SERIES

if TYPE_CHECKING:
    from emulator.catalog.data import Catalog, Title

# Titles a subscriber can put in a queue or rent: what the seeded library draws from.
_QUEUEABLE_KINDS = frozenset({MOVIES, SERIES, SEASONS})


def disc_formats(title: Title) -> tuple[str, ...]:
    """The disc formats (`DVD`, `Blu-ray`) a title ships in."""
    return tuple(label for label in title.format_labels if label in (DVD, BLU_RAY))


def has_instant(title: Title) -> bool:
    """True when the title can be watched instantly."""
    return INSTANT in title.format_labels


def queue_format(kind: str, title: Title, preferred: tuple[str, ...]) -> str | None:
    """The format a title takes in the `disc` or `instant` queue, or None if it cannot join."""
    if kind == "instant":
        return INSTANT if has_instant(title) else None
    offered = disc_formats(title)
    if not offered:
        return None
    return next((f for f in preferred if f in offered), offered[0])


def title_pool(catalog: Catalog) -> list[Title]:
    """Queueable titles in catalog order (the seeded library draws from these)."""
    return [t for t in catalog.titles if t.kind in _QUEUEABLE_KINDS]


def subscriber_label(fmt: str) -> str:
    """A format as subscriber resources wrote it: `Instant` capitalized, as recorded in
    queues and title states (format availability in the catalog writes `instant`)."""
    return "Instant" if fmt == INSTANT else fmt
