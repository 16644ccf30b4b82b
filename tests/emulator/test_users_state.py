"""Seeded subscribers: deterministic from the seed, Netflix-like ids, a full library each."""

from __future__ import annotations

import re

from emulator.accounts.state import Accounts
from emulator.catalog.data import build_catalog
from emulator.config import EmulatorConfig

_ID_RE = re.compile(r"^T1[A-Za-z0-9._]{43}-$")


def _accounts(seed: int) -> Accounts:
    config = EmulatorConfig(seed=seed, catalog_size=300)
    catalog = build_catalog(seed=seed, size=300, public_base=config.public_base)
    return Accounts.seeded(catalog, config, lambda: 1_300_000_000.0)


def _fingerprint(accounts: Accounts) -> list[object]:
    return [
        (
            s.user_id,
            s.first_name,
            s.nickname,
            s.queue("disc").etag,
            [e.title.id for e in s.queue("disc").available],
            [e.title.id for e in s.queue("instant").available],
            sorted(s.ratings.actual),
            [r.title.id for r in s.history.rentals],
        )
        for s in accounts.subscribers
    ]


def test_same_seed_same_subscribers_other_seed_others() -> None:
    assert _fingerprint(_accounts(1)) == _fingerprint(_accounts(1))
    assert _fingerprint(_accounts(1)) != _fingerprint(_accounts(2))


def test_subscribers_look_like_netflix_users_and_are_found_by_id() -> None:
    accounts = _accounts(3)
    assert len(accounts.subscribers) == 3
    assert len({s.nickname for s in accounts.subscribers}) == 3
    for subscriber in accounts.subscribers:
        assert _ID_RE.match(subscriber.user_id), subscriber.user_id
        assert accounts.get(subscriber.user_id) is subscriber
    assert accounts.get("T1nobody-") is None


def test_every_subscriber_has_a_full_library() -> None:
    for subscriber in _accounts(5).subscribers:
        for kind in ("disc", "instant"):
            queue = subscriber.queue(kind)
            if kind == "instant" and not subscriber.can_instant_watch:
                # Netflix refuses instant titles to such a subscriber; its queue stays empty.
                assert not queue.available and not queue.saved and queue.etag == "0"
                continue
            assert queue.available and queue.saved, kind
            assert queue.etag != "0"
        assert subscriber.ratings.actual
        assert subscriber.history.at_home()
        assert subscriber.history.of_kind("returned")
        assert subscriber.history.of_kind("watched")
        queued = {e.title.id for e in subscriber.queue("disc").available}
        assert not queued & subscriber.history.at_home_ids()
