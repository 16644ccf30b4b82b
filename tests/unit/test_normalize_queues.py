"""Queue normalizers: recorded JSON queues, the 2008 sample, write results, edge cases."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from emulator.document import Node, el
from service.errors import BadUpstream
from service.netflix.normalize import queues
from service.schemas.queues import QueueState, QueueType
from tests.support.samples import rendered_both, sample_doc

BASE = "http://api-public.netflix.com"


def test_recorded_disc_queue_json() -> None:
    page, etag = queues.queue_page(
        sample_doc("queue", "json-disc-queue-3-items-dholdren.json"), ref_base=BASE, page_size=25
    )
    assert etag == "115673854498"
    assert (page.total, page.next) == (3, None)
    first = page.items[0]
    assert (first.queue, first.state, first.position) == (QueueType.DISC, QueueState.AVAILABLE, 1)
    assert (first.queued_format, first.availability) == ("Blu-ray", "available now")
    assert first.updated_at == datetime.fromtimestamp(1311530716, UTC)
    assert first.title.id == "movies/70167072" and first.title.title == "Arthur"
    assert first.title.formats is None  # the title's formats were not asked for
    assert [e.position for e in page.items] == [1, 2, 3]


def test_recorded_empty_queue_json() -> None:
    page, etag = queues.queue_page(
        sample_doc("queue", "json-disc-queue-empty-dholdren.json"), ref_base=BASE, page_size=25
    )
    assert (page.items, page.total, page.next, etag) == ([], 0, None, "0")


def test_recorded_2008_instant_queue() -> None:
    page, etag = queues.queue_page(
        sample_doc("queue", "instant-queue-early-format-netflix4ruby.xml"),
        ref_base=BASE,
        page_size=25,
    )
    assert etag == "819873819117"
    assert (page.total, len(page.items), page.next) == (220, 3, 3)
    first = page.items[0]
    assert first.title.id == "movies/251454"
    assert (first.queue, first.queued_format, first.availability) == (
        QueueType.INSTANT,
        "instant",  # recorded as "Instant": the proxy names formats its own way
        "available now",
    )
    assert first.title.maturity_rating is not None


def test_recorded_add_result_and_delete_result() -> None:
    added = queues.write_result(
        sample_doc("status", "json-queue-add-201-resources_created-dholdren.json")
    )
    assert (added.status_code, added.etag, added.message) == (201, "82198468425", "Move successful")
    entry = queues.queue_entry(added.created[0], ref_base=BASE)
    assert (entry.position, entry.title.id) == (4, "movies/70071613")
    deleted = queues.write_result(
        sample_doc("status", "json-queue-delete-200-dholdren.json"), etag_header='"77"'
    )
    assert (deleted.status_code, deleted.etag, deleted.created) == (200, "77", [])


def _item(state: str, *extra: Node) -> Node:
    where = "available/2/60" if state == "available" else "saved/60"
    return el(
        "queue_item",
        None,
        el("id", f"http://api.netflix.com/users/u-/queues/instant/{where}"),
        el("position", 2) if state == "available" else el("updated", 0),
        el(
            "link",
            href="http://api.netflix.com/catalog/titles/movies/60",
            rel="http://schemas.netflix.com/catalog/title",
            title="Sixty",
        ),
        el("title", regular="Sixty", short="Sixty"),
        *extra,
    )


def test_saved_and_available_entries_from_both_formats() -> None:
    for doc in rendered_both(
        _item(
            "saved",
            el(
                "category",
                "Saved",
                scheme="http://api.netflix.com/categories/queue_availability",
                label="saved",
            ),
        )
    ):
        entry = queues.queue_item_document(doc, ref_base=BASE, queue=QueueType.INSTANT)
        assert (entry.state, entry.position, entry.availability) == (
            QueueState.SAVED,
            None,
            "saved",
        )
    for doc in rendered_both(_item("available")):
        entry = queues.queue_item_document(doc, ref_base=BASE, queue=QueueType.DISC)
        assert (entry.queue, entry.state, entry.position) == (
            QueueType.INSTANT,
            QueueState.AVAILABLE,
            2,
        )


def test_queue_without_etag_falls_back_to_header_or_fails() -> None:
    node = el("queue", None, el("number_of_results", 0))
    for doc in rendered_both(node):
        assert queues.queue_page(doc, ref_base=BASE, page_size=25, etag_header='W/"5"')[1] == "5"
        with pytest.raises(BadUpstream):
            queues.queue_page(doc, ref_base=BASE, page_size=25)


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("Instant", "instant"),
        ("instant", "instant"),
        ("INSTANT", "instant"),
        ("dvd", "DVD"),
        ("DVD", "DVD"),
        ("BLU-RAY", "Blu-ray"),
        ("blu-ray", "Blu-ray"),
        ("BluRay", "Blu-ray"),
    ],
)
def test_format_labels_are_read_without_regard_to_case(label: str, expected: str) -> None:
    """Queues and title states wrote `Instant`, format availability `instant`."""
    fmt = el("category", scheme="http://api.netflix.com/categories/title_formats", label=label)
    node = el(
        "queue_item",
        None,
        el(
            "link",
            href="http://api.netflix.com/catalog/titles/movies/60",
            rel="http://schemas.netflix.com/catalog/title",
            title="Sixty",
        ),
        el("title", regular="Sixty", short="Sixty"),
        fmt,
    )
    for doc in rendered_both(node):
        entry = queues.queue_entry(doc, ref_base=BASE)
        assert entry.queued_format == expected
        assert entry.title.formats is None
        instant = expected == "instant"
        assert entry.queue is (QueueType.INSTANT if instant else QueueType.DISC)
