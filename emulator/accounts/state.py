"""Seeded demo subscribers and the per-instance account store.

Everything is derived from `config.seed` (a private `random.Random`, never the global one), so
the same seed always yields the same user ids, names, queues, ratings and rentals; dates are
offsets from the instance clock at seeding time.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from emulator.accounts.history import RentalHistory
from emulator.accounts.queues import Queue
from emulator.accounts.ratings import Ratings
from emulator.accounts.seed import seed_library
from emulator.config import EmulatorConfig

if TYPE_CHECKING:
    from emulator.catalog.data import Catalog

QUEUE_KINDS = ("disc", "instant")
_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._"
_PEOPLE = (
    ("Ada", "Lovelace", "ada"),
    ("Grace", "Hopper", "amazing_grace"),
    ("Alan", "Turing", "enigma"),
    ("Katherine", "Johnson", "trajectory"),
    ("Edsger", "Dijkstra", "shortest_path"),
    ("Barbara", "Liskov", "substitution"),
    ("Dennis", "Ritchie", "dmr"),
    ("Frances", "Allen", "fran"),
)
# Maturity ceilings: 1000000 (the recorded value) means unrestricted; the others are lower caps.
_MATURITY_LEVELS = (110, 1000, 1000000)


@dataclass(slots=True)
class Subscriber:
    """One demo subscriber: profile, preferences, and the mutable library state the API exposes."""

    user_id: str
    first_name: str
    last_name: str
    nickname: str
    email: str = ""
    can_instant_watch: bool = True
    preferred_formats: tuple[str, ...] = ("DVD",)
    max_maturity_level: int = 1000000
    feed_token: str = ""
    queues: dict[str, Queue] = field(default_factory=dict)
    ratings: Ratings = field(default_factory=Ratings)
    history: RentalHistory = field(default_factory=RentalHistory)

    def queue(self, kind: str) -> Queue:
        """The disc or instant queue (created empty on first use)."""
        found = self.queues.get(kind)
        if found is None:
            found = self.queues[kind] = Queue(kind)
        return found


def seeded_rng(key: str) -> random.Random:
    """A private generator for demo data (deterministic on purpose, never for secrets)."""
    return random.Random(key)  # noqa: S311


def make_user_id(seed: int, index: int) -> str:
    """A Netflix-looking user id (`T1` + 43 base64url-ish chars + `-`), fixed by seed and index."""
    rng = seeded_rng(f"netflix-user:{seed}:{index}")
    return "T1" + "".join(rng.choice(_ID_ALPHABET) for _ in range(43)) + "-"


def _feed_token(seed: int, user_id: str) -> str:
    return hashlib.sha1(f"feed:{seed}:{user_id}".encode()).hexdigest()  # noqa: S324 - not security


class Accounts:
    """All subscribers of one emulator instance, looked up by user id."""

    def __init__(self, subscribers: Sequence[Subscriber]) -> None:
        self._subscribers = tuple(subscribers)
        self._by_id = {s.user_id: s for s in self._subscribers}
        self._by_email = {s.email.casefold(): s for s in self._subscribers if s.email}

    @classmethod
    def seeded(
        cls, catalog: Catalog, config: EmulatorConfig, clock: Callable[[], float]
    ) -> Accounts:
        """The demo subscribers for `config.seed`, with queues, ratings and rentals filled in."""
        rng = seeded_rng(f"accounts:{config.seed}")
        people = rng.sample(_PEOPLE, 3)
        now = int(clock())
        subscribers: list[Subscriber] = []
        for index, (first, last, nick) in enumerate(people):
            user_id = make_user_id(config.seed, index)
            subscriber = Subscriber(
                user_id=user_id,
                first_name=first,
                last_name=last,
                nickname=nick,
                email=f"{first}.{last}@example.com".lower(),
                can_instant_watch=index != 2,
                preferred_formats=(("Blu-ray", "DVD"), ("DVD",), ("DVD", "Blu-ray"))[index],
                max_maturity_level=_MATURITY_LEVELS[(index + config.seed) % 3],
                feed_token=_feed_token(config.seed, user_id),
            )
            for kind in QUEUE_KINDS:
                subscriber.queue(kind)
            seed_library(
                subscriber, catalog, config, seeded_rng(f"library:{config.seed}:{index}"), now
            )
            subscribers.append(subscriber)
        return cls(subscribers)

    @property
    def subscribers(self) -> Sequence[Subscriber]:
        """The seeded demo subscribers, in a stable order."""
        return self._subscribers

    def get(self, user_id: str) -> Subscriber | None:
        """The subscriber with this id, or None."""
        return self._by_id.get(user_id)

    def by_email(self, email: str) -> Subscriber | None:
        """The subscriber signing in with this email (case does not matter), or None."""
        return self._by_email.get(email.strip().casefold())
