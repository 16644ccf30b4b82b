"""Queues: listings with their etag, single entries, and queue write results.

Listings are read item by item into plain fields in `QueueEntry`'s order (the title by
`title_fields`): `dump_json` writes them as the models would, with no model on the way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.errors import BadUpstream
from service.netflix.document import Doc, Node
from service.netflix.normalize.common import (
    FORMAT_SCHEMES,
    epoch,
    expect_root,
    format_name,
    page_fields,
    scheme_is,
    to_int,
)
from service.netflix.normalize.title_fields import Fields, title_fields
from service.schemas.queues import QueueEntry, QueuePage, QueueState, QueueType
from service.schemas.titles import TitleFormat

_ENTRY_PATH = re.compile(r"/queues/(?P<queue>disc|instant)/(?P<state>available|saved)(?:/|$)")
# The children a queue item is read for besides its title (the first of each counts).
_ENTRY_TAGS = frozenset({"id", "position", "updated"})
_SCHEME_ROLES: dict[str, tuple[bool, bool]] = {}
_MAX_SCHEMES = 4096


def _roles(scheme: str) -> tuple[bool, bool]:
    """Whether a category scheme names the queue availability, and a delivery format
    (`common.format_labels`); memoized, as upstream schemes are a small set."""
    found = _SCHEME_ROLES.get(scheme)
    if found is None:
        found = (
            scheme.rstrip("/").endswith("queue_availability"),
            any(scheme_is(scheme, suffix) for suffix in FORMAT_SCHEMES),
        )
        if len(_SCHEME_ROLES) >= _MAX_SCHEMES:
            _SCHEME_ROLES.clear()
        _SCHEME_ROLES[scheme] = found
    return found


def queue_entry_fields(node: Node, *, ref_base: str, queue: QueueType | None = None) -> Fields:
    """One `queue_item` as `QueueEntry` fields: the title plus its place in the queue."""
    own: dict[str, str | None] = {}
    availability: str | None = None  # the label of the first availability category
    formats: dict[TitleFormat, None] = {}  # the formats named, in order
    for child in node:
        tag = child.tag
        if tag == "category":
            of_availability, of_format = _roles(child.get("scheme") or "")
            if not (of_availability or of_format):
                continue
            label = (child.get("label") or child.get("term") or child.text or "").strip()
            if of_availability and availability is None:
                availability = label
            named = format_name(label) if of_format and label else None
            if named is not None:
                formats[named] = None
        elif tag in _ENTRY_TAGS and tag not in own:
            own[tag] = (child.text or "").strip() or None
    match = _ENTRY_PATH.search(own.get("id") or "")
    found_queue = QueueType(match["queue"]) if match else None
    state = QueueState(match["state"]) if match else None
    if state is None:
        saved = availability is not None and availability.lower() == "saved"
        state = QueueState.SAVED if saved else QueueState.AVAILABLE
    queued = next(iter(formats), None)
    resolved = found_queue or queue
    if resolved is None:
        resolved = QueueType.INSTANT if queued is TitleFormat.INSTANT else QueueType.DISC
    position = to_int(own.get("position"))
    return {
        "queue": resolved,
        "state": state,
        "position": position if position and position > 0 else None,
        "queued_format": queued,
        "availability": None if availability is None else _availability(availability),
        "updated_at": epoch(own.get("updated")),
        "title": title_fields(node, ref_base=ref_base),
    }


def queue_entry(doc: Doc, *, ref_base: str, queue: QueueType | None = None) -> QueueEntry:
    """One `queue_item` (`queue_entry_fields`) as a model."""
    return QueueEntry.model_validate(queue_entry_fields(doc.node(), ref_base=ref_base, queue=queue))


def _availability(label: str) -> str:
    """`available_now`, `Available Now` and `available now` alike: lower case, spaced."""
    return " ".join(label.replace("_", " ").lower().split())


def queue_page_fields(
    doc: Doc,
    *,
    ref_base: str,
    page_size: int,
    queue: QueueType | None = None,
    etag_header: str | None = None,
) -> tuple[Fields, str]:
    """A `queue` listing as `QueuePage` fields, and its etag (from the document, else from
    the ETag header)."""
    expect_root(doc, "queue")
    items = [
        queue_entry_fields(node, ref_base=ref_base, queue=queue)
        for node in doc.node()
        if node.tag == "queue_item"
    ]
    etag = doc.child_text("etag") or _unquote(etag_header)
    if etag is None:
        raise BadUpstream("the upstream queue carries no etag")
    return page_fields(doc, items, page_size=page_size), etag


def queue_page(
    doc: Doc,
    *,
    ref_base: str,
    page_size: int,
    queue: QueueType | None = None,
    etag_header: str | None = None,
) -> tuple[QueuePage, str]:
    """A `queue` listing (`queue_page_fields`) as a model, and its etag."""
    fields, etag = queue_page_fields(
        doc, ref_base=ref_base, page_size=page_size, queue=queue, etag_header=etag_header
    )
    return QueuePage.model_validate(fields), etag


def queue_item_document(doc: Doc, *, ref_base: str, queue: QueueType) -> QueueEntry:
    """A single entry: a `queue_item` root, or a `queue` holding exactly one."""
    if doc.tag == "queue_item":
        return queue_entry(doc, ref_base=ref_base, queue=queue)
    expect_root(doc, "queue")
    items = doc.children("queue_item")
    if not items:
        raise BadUpstream("the upstream queue entry document is empty")
    return queue_entry(items[0], ref_base=ref_base, queue=queue)


@dataclass(frozen=True, slots=True)
class WriteResult:
    """A `status` document answering a write: code, message, new etag, created items."""

    status_code: int | None
    sub_code: int | None
    message: str
    etag: str | None
    created: list[Doc]


def write_result(doc: Doc, *, etag_header: str | None = None) -> WriteResult:
    """Read a `status` document (queue add/move/delete, rating writes) and its resources."""
    expect_root(doc, "status")
    created: list[Doc] = []
    for holder in [*doc.children("resources_created"), *doc.children("resources_updated")]:
        created.extend(holder.children())
    return WriteResult(
        status_code=to_int(doc.child_text("status_code")),
        sub_code=to_int(doc.child_text("sub_code")),
        message=doc.child_text("message") or "",
        etag=doc.child_text("etag") or _unquote(etag_header),
        created=created,
    )


def _unquote(etag: str | None) -> str | None:
    if not etag:
        return None
    value = etag.strip()
    if value.startswith("W/"):
        value = value[2:]
    return value.strip('"') or None
