"""Fills a demo subscriber's library from the catalog: queues, saved titles, ratings, rentals.

Called once per subscriber by `Accounts.seeded` with a private, seeded `random.Random`.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from emulator.accounts.formats import disc_formats, has_instant, queue_format, title_pool
from emulator.accounts.history import Rental
from emulator.accounts.queues import QueueEntry
from emulator.accounts.ratings import RATING_VALUES, Rating
from emulator.config import EmulatorConfig

if TYPE_CHECKING:
    from emulator.accounts.state import Subscriber
    from emulator.catalog.data import Catalog, Title

_DAY = 86400


def _pick(rng: random.Random, titles: list[Title], count: int, used: set[int]) -> list[Title]:
    chosen: list[Title] = []
    for title in rng.sample(titles, min(len(titles), count * 3)):
        if len(chosen) == count:
            break
        if title.id not in used:
            used.add(title.id)
            chosen.append(title)
    return chosen


def seed_library(
    subscriber: Subscriber, catalog: Catalog, config: EmulatorConfig, rng: random.Random, now: int
) -> None:
    """Give one subscriber queues (instant only if it may watch instantly), ratings and rentals."""
    pool = title_pool(catalog)
    discs = [t for t in pool if disc_formats(t)]
    instants = [t for t in pool if has_instant(t)]
    used: set[int] = set()
    subscriber.ratings.seed = f"{config.seed}:{subscriber.user_id}"

    disc_queue = subscriber.queue("disc")
    disc_queue.etag_base = rng.randrange(10**11, 9 * 10**11)
    for index, title in enumerate(_pick(rng, discs, rng.randint(5, 8), used)):
        fmt = _preferred_disc_format(subscriber, title)
        disc_queue.seed_entry(
            QueueEntry(title, fmt, now - rng.randint(1, 400) * _DAY, saved=index == 0)
        )
    instant_queue = subscriber.queue("instant")
    instant_queue.etag_base = rng.randrange(10**11, 9 * 10**11)
    for index, title in enumerate(_pick(rng, instants, rng.randint(4, 6), used)):
        if not subscriber.can_instant_watch:
            continue  # drawn all the same, so the other subscribers' data stays as it was
        instant_queue.seed_entry(
            QueueEntry(title, "instant", now - rng.randint(1, 400) * _DAY, saved=index == 0)
        )

    for title in _pick(rng, discs, 4, used):
        shipped = now - rng.randint(30, 700) * _DAY
        subscriber.history.rentals.append(
            Rental(
                title,
                _preferred_disc_format(subscriber, title),
                shipped_date=shipped,
                returned_date=shipped + rng.randint(3, 20) * _DAY,
            )
        )
    for title in _pick(rng, discs, 2, used):
        subscriber.history.rentals.append(
            Rental(
                title,
                _preferred_disc_format(subscriber, title),
                shipped_date=now - rng.randint(1, 6) * _DAY,
            )
        )
    for title in _pick(rng, instants, 4, used):
        subscriber.history.rentals.append(
            Rental(
                title,
                "instant",
                watched_date=now - rng.randint(1, 300) * _DAY,
                viewed_time=rng.randint(10, 100) * 60,
            )
        )

    rated = [r.title for r in subscriber.history.rentals] + _pick(rng, pool, 3, used)
    for title in rated[:7]:
        value = rng.choice(RATING_VALUES[:5]) if rng.random() > 0.1 else RATING_VALUES[5]
        subscriber.ratings.actual[title.id] = Rating(title, value, now - rng.randint(1, 300) * _DAY)


def _preferred_disc_format(subscriber: Subscriber, title: Title) -> str:
    return queue_format("disc", title, subscriber.preferred_formats) or disc_formats(title)[0]
