"""A disc or instant queue with Netflix's write rules: etags, 1-based positions, saved titles.

Every mutation is synchronous (no awaits), so under asyncio each check-and-mutate is atomic:
of many writers holding the same etag exactly one wins and the rest see 412.

Etags: a queue that has never held a title answers `0` (as the recordings show for an empty
queue); every successful write advances the queue's generation, and the etag is a 12-digit
number derived from the queue's own base plus that generation, so it is monotonic per queue,
unique per change, and never repeats even when the queue becomes empty again. A write
without any etag is a 400 "etag is invalid"; one with a stale etag is Netflix's 412.
Entries are addressed by title id; the position in an entry URL only tells where the entry
was when listed, so a URL stays usable after other entries moved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from emulator.http import NetflixError

if TYPE_CHECKING:
    from emulator.catalog.data import Title

PRECONDITION_FAILED = "Precondition failed. Resource has been modified"


@dataclass(slots=True)
class QueueEntry:
    """One title in a queue: in which format, when it was added and last moved, saved or not."""

    title: Title
    format: str
    updated: int
    saved: bool = False
    added: int = 0

    def __post_init__(self) -> None:
        if not self.added:
            self.added = self.updated


@dataclass(frozen=True, slots=True)
class WriteResult:
    """Outcome of an add or move: the entry, its 1-based position and whether it was a move."""

    entry: QueueEntry
    position: int
    moved: bool


@dataclass(slots=True)
class Queue:
    """One queue (`disc` or `instant`): ordered available entries plus saved ones."""

    kind: str
    available: list[QueueEntry] = field(default_factory=list)
    saved: list[QueueEntry] = field(default_factory=list)
    etag_base: int = 100000000000
    generation: int = 0

    @property
    def etag(self) -> str:
        """The current etag (`0` until the queue first holds a title)."""
        if self.generation == 0 and not self.available and not self.saved:
            return "0"
        return str(self.etag_base + self.generation)

    @property
    def size(self) -> int:
        """Titles held, available and saved together (what the size limit counts)."""
        return len(self.available) + len(self.saved)

    def position_of(self, title_id: int) -> int | None:
        """1-based position of an available title, or None."""
        for index, entry in enumerate(self.available):
            if entry.title.id == title_id:
                return index + 1
        return None

    def find_saved(self, title_id: int) -> QueueEntry | None:
        """The saved entry for a title, or None."""
        return next((e for e in self.saved if e.title.id == title_id), None)

    def check_etag(self, etag: str | None) -> None:
        """400 when no etag was sent, 412 when it is not the current one."""
        if etag is None or not etag.strip():
            raise NetflixError(400, "etag is invalid")
        if normalize_etag(etag) != self.etag:
            raise NetflixError(412, PRECONDITION_FAILED)

    def add(
        self,
        title: Title,
        title_format: str,
        position: int | None,
        *,
        etag: str | None,
        now: int,
        max_size: int,
        at_home: frozenset[int] = frozenset(),
    ) -> WriteResult:
        """Add a title, or move it when it is queued and a new position is given."""
        self.check_etag(etag)
        current = self.position_of(title.id)
        if current is not None:
            if position is None or min(position, len(self.available)) == current:
                raise NetflixError(412, "Title is already in queue", 710)
            return self._move(current, position, now)
        if self.find_saved(title.id) is not None:
            if position is not None:
                raise NetflixError(400, "Title is saved; cannot move it", 620)
            raise NetflixError(412, "Title is already in queue", 710)
        if title.id in at_home:
            raise NetflixError(400, "Title currently at home", 690)
        if self.size >= max_size:
            raise NetflixError(400, "Queue is too large", 650)
        end = len(self.available)
        index = end if position is None else min(position, end + 1) - 1
        entry = QueueEntry(title, title_format, now)
        self.available.insert(index, entry)
        self.generation += 1
        return WriteResult(entry, index + 1, moved=False)

    def _move(self, current: int, position: int, now: int) -> WriteResult:
        entry = self.available.pop(current - 1)
        index = min(position, len(self.available) + 1) - 1
        self.available.insert(index, entry)
        entry.updated = now
        self.generation += 1
        return WriteResult(entry, index + 1, moved=True)

    def remove(self, title_id: int, *, saved: bool) -> QueueEntry:
        """Delete a title from the available or saved part; 404/610 when it is not there."""
        entries = self.saved if saved else self.available
        for index, entry in enumerate(entries):
            if entry.title.id == title_id:
                del entries[index]
                self.generation += 1
                return entry
        raise NetflixError(404, "Title is not in Queue", 610)

    def seed_entry(self, entry: QueueEntry) -> None:
        """Put an entry in place while seeding (no etag check, no generation change)."""
        (self.saved if entry.saved else self.available).append(entry)


def normalize_etag(raw: str) -> str:
    """Accept `123`, `"123"` and `W/"123"` alike (form field or If-Match/If-None-Match header)."""
    value = raw.strip()
    if value.startswith("W/"):
        value = value[2:]
    return value.strip('"')
