"""The queue model alone: positions, moves, etags and Netflix's write errors."""

from __future__ import annotations

import pytest

from emulator.accounts.queues import Queue, QueueEntry, normalize_etag
from emulator.catalog.data import Catalog, Title, build_catalog
from emulator.http import NetflixError


@pytest.fixture(scope="module")
def titles() -> list[Title]:
    catalog: Catalog = build_catalog(seed=7, size=300, public_base="http://api-public.netflix.com")
    return list(catalog.titles[:12])


def _filled(titles: list[Title], count: int) -> Queue:
    queue = Queue("disc", etag_base=500000000000)
    for index, title in enumerate(titles[:count]):
        queue.add(title, "DVD", None, etag=queue.etag, now=1000 + index, max_size=500)
    return queue


def _order(queue: Queue) -> list[int]:
    return [e.title.id for e in queue.available]


def test_empty_queue_has_etag_zero_and_every_write_changes_it(titles: list[Title]) -> None:
    queue = Queue("disc", etag_base=500000000000)
    assert queue.etag == "0"
    seen = {queue.etag}
    queue.add(titles[0], "DVD", None, etag="0", now=1, max_size=500)
    seen.add(queue.etag)
    queue.remove(titles[0].id, saved=False)
    assert queue.etag not in seen  # empty again, yet a new etag: never reused
    seen.add(queue.etag)
    assert len(seen) == 3
    assert int(queue.etag) > 500000000000


def test_add_appends_or_inserts_and_shifts_positions(titles: list[Title]) -> None:
    queue = _filled(titles, 3)
    result = queue.add(titles[3], "DVD", 2, etag=queue.etag, now=9, max_size=500)
    assert (result.position, result.moved) == (2, False)
    assert _order(queue) == [titles[0].id, titles[3].id, titles[1].id, titles[2].id]
    beyond = queue.add(titles[4], "DVD", 99, etag=queue.etag, now=9, max_size=500)
    assert beyond.position == 5


def test_new_position_on_a_queued_title_moves_it(titles: list[Title]) -> None:
    queue = _filled(titles, 4)
    result = queue.add(titles[3], "DVD", 1, etag=queue.etag, now=50, max_size=500)
    assert result.moved and result.position == 1 and result.entry.updated == 50
    assert _order(queue) == [titles[3].id, titles[0].id, titles[1].id, titles[2].id]


@pytest.mark.parametrize(("index", "position"), [(1, None), (1, 2), (2, 3), (2, 40)])
def test_re_adding_at_same_or_no_position_is_412_710(
    titles: list[Title], index: int, position: int | None
) -> None:
    queue = _filled(titles, 3)
    with pytest.raises(NetflixError) as caught:
        queue.add(titles[index], "DVD", position, etag=queue.etag, now=1, max_size=500)
    assert (caught.value.status_code, caught.value.sub_code) == (412, 710)


def test_stale_and_missing_etags(titles: list[Title]) -> None:
    queue = _filled(titles, 2)
    stale = queue.etag
    queue.add(titles[5], "DVD", None, etag=stale, now=1, max_size=500)
    with pytest.raises(NetflixError) as caught:
        queue.add(titles[6], "DVD", None, etag=stale, now=1, max_size=500)
    assert caught.value.status_code == 412
    assert caught.value.message == "Precondition failed. Resource has been modified"
    with pytest.raises(NetflixError) as missing:
        queue.add(titles[6], "DVD", None, etag=None, now=1, max_size=500)
    assert (missing.value.status_code, missing.value.message) == (400, "etag is invalid")


def test_size_limit_at_home_and_saved_errors(titles: list[Title]) -> None:
    queue = _filled(titles, 3)
    with pytest.raises(NetflixError) as full:
        queue.add(titles[4], "DVD", None, etag=queue.etag, now=1, max_size=3)
    assert (full.value.status_code, full.value.sub_code) == (400, 650)
    with pytest.raises(NetflixError) as home:
        queue.add(
            titles[4],
            "DVD",
            None,
            etag=queue.etag,
            now=1,
            max_size=500,
            at_home=frozenset({titles[4].id}),
        )
    assert (home.value.status_code, home.value.sub_code) == (400, 690)
    queue.seed_entry(QueueEntry(titles[8], "DVD", 1, saved=True))
    with pytest.raises(NetflixError) as saved:
        queue.add(titles[8], "DVD", 1, etag=queue.etag, now=1, max_size=500)
    assert (saved.value.status_code, saved.value.sub_code) == (400, 620)


def test_remove_missing_title_is_404_610(titles: list[Title]) -> None:
    queue = _filled(titles, 2)
    before = queue.etag
    with pytest.raises(NetflixError) as caught:
        queue.remove(titles[9].id, saved=False)
    assert (caught.value.status_code, caught.value.sub_code) == (404, 610)
    assert queue.etag == before


@pytest.mark.parametrize("raw", ["123", '"123"', 'W/"123"', " 123 "])
def test_etag_forms_are_normalized(raw: str) -> None:
    assert normalize_etag(raw) == "123"
