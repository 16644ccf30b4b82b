"""Queue normalizers: recorded JSON queues, the 2008 sample, write results, edge cases."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from emulator.document import Node, el, render_json, render_xml
from service.errors import BadUpstream
from service.netflix.document import Doc
from service.netflix.netflix_json import parse_json
from service.netflix.normalize import queues
from service.netflix.xml import parse_xml
from service.schemas.queues import QueueState, QueueType

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "netflix-samples"
BASE = "http://api-public.netflix.com"
LIMIT = 10_000_000


def _sample(*parts: str) -> Doc:
    path = SAMPLES.joinpath(*parts)
    if not path.is_file():
        pytest.skip(f"recorded sample {'/'.join(parts)} is not present")
    body = path.read_bytes()
    return (
        parse_json(body, max_bytes=LIMIT)
        if path.suffix == ".json"
        else parse_xml(body, max_bytes=LIMIT)
    )


def _both(node: Node) -> tuple[Doc, Doc]:
    return (
        parse_xml(render_xml(node), max_bytes=LIMIT),
        parse_json(render_json(node), max_bytes=LIMIT),
    )


def test_recorded_disc_queue_json() -> None:
    page, etag = queues.queue_page(
        _sample("queue", "json-disc-queue-3-items-dholdren.json"), ref_base=BASE
    )
    assert etag == "115673854498"
    assert (page.total, page.next) == (3, None)
    first = page.items[0]
    assert (first.queue, first.state, first.position) == (QueueType.DISC, QueueState.AVAILABLE, 1)
    assert (first.format, first.availability) == ("Blu-ray", "available now")
    assert first.updated_at == datetime.fromtimestamp(1311530716, UTC)
    assert first.title.id == "movies/70167072" and first.title.title == "Arthur"
    assert first.title.formats == ["Blu-ray"]
    assert [e.position for e in page.items] == [1, 2, 3]


def test_recorded_empty_queue_json() -> None:
    page, etag = queues.queue_page(
        _sample("queue", "json-disc-queue-empty-dholdren.json"), ref_base=BASE
    )
    assert (page.items, page.total, page.next, etag) == ([], 0, None, "0")


def test_recorded_2008_instant_queue() -> None:
    page, etag = queues.queue_page(
        _sample("queue", "instant-queue-early-format-netflix4ruby.xml"), ref_base=BASE
    )
    assert etag == "819873819117"
    assert (page.total, len(page.items), page.next) == (220, 3, 3)
    first = page.items[0]
    assert first.title.id == "movies/251454"
    assert (first.queue, first.format, first.availability) == (
        QueueType.INSTANT,
        "Instant",
        "available now",
    )
    assert first.title.maturity_rating is not None


def test_recorded_add_result_and_delete_result() -> None:
    added = queues.write_result(
        _sample("status", "json-queue-add-201-resources_created-dholdren.json")
    )
    assert (added.status_code, added.etag, added.message) == (201, "82198468425", "Move successful")
    entry = queues.queue_entry(added.created[0], ref_base=BASE)
    assert (entry.position, entry.title.id) == (4, "movies/70071613")
    deleted = queues.write_result(
        _sample("status", "json-queue-delete-200-dholdren.json"), etag_header='"77"'
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
    for doc in _both(
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
    for doc in _both(_item("available")):
        entry = queues.queue_item_document(doc, ref_base=BASE, queue=QueueType.DISC)
        assert (entry.queue, entry.state, entry.position) == (
            QueueType.INSTANT,
            QueueState.AVAILABLE,
            2,
        )


def test_queue_without_etag_falls_back_to_header_or_fails() -> None:
    node = el("queue", None, el("number_of_results", 0))
    for doc in _both(node):
        assert queues.queue_page(doc, ref_base=BASE, etag_header='W/"5"')[1] == "5"
        with pytest.raises(BadUpstream):
            queues.queue_page(doc, ref_base=BASE)
