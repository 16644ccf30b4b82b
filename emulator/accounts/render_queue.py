"""Node trees for queues: the `queue` listing, single `queue_item`s and write results.

A queue item is a catalog title with the entry's own `id` (carrying its position), its
`position`, availability and format categories, `updated`, and links back to its queue and
to the catalog title, as in the recorded disc queue. Saved entries have no position.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from emulator.accounts.formats import subscriber_label
from emulator.accounts.queues import Queue, QueueEntry
from emulator.accounts.render import SCHEMAS, category, link, title_item, user_base
from emulator.catalog.data import Catalog
from emulator.document import Node, el
from emulator.http import status_document


@dataclass(frozen=True, slots=True)
class Listed:
    """An entry as listed: where it sits (None when saved)."""

    entry: QueueEntry
    position: int | None


@dataclass(frozen=True, slots=True)
class QueueView:
    """What one queue document shows: which queue, which part, and the rendering bases."""

    catalog: Catalog
    public_base: str
    user_id: str
    queue: Queue
    expand: frozenset[str] = frozenset()

    @property
    def base(self) -> str:
        """`…/users/{id}/queues/{kind}`."""
        return f"{user_base(self.public_base, self.user_id)}/queues/{self.queue.kind}"

    def entry_id(self, listed: Listed) -> str:
        """`…/available/{position}/{title_id}` or `…/saved/{title_id}`."""
        if listed.position is None:
            return f"{self.base}/saved/{listed.entry.title.id}"
        return f"{self.base}/available/{listed.position}/{listed.entry.title.id}"

    def item(self, listed: Listed) -> Node:
        """One `queue_item`."""
        saved = listed.position is None
        state = "saved" if saved else "available"
        before: list[Node] = []
        if not saved:
            before.append(el("position", listed.position))
        before += [
            link(f"{self.base}/{state}", f"{SCHEMAS}/queues.{state}", f"{state} queue"),
            category(
                f"{self.public_base}/categories/queue_availability",
                "saved" if saved else "available now",
                "Saved" if saved else "Available Now",
            ),
            el("updated", listed.entry.updated),
            category(
                f"{self.public_base}/categories/title_formats",
                subscriber_label(listed.entry.format),
            ),
        ]
        return title_item(
            "queue_item",
            self.catalog,
            listed.entry.title,
            self.entry_id(listed),
            before,
            expand=self.expand,
        )

    def document(
        self, items: Sequence[Listed], total: int, start_index: int, state: str | None
    ) -> Node:
        """The `queue` listing (whole queue, or only its `available`/`saved` part)."""
        target = self.base if state is None else f"{self.base}/{state}"
        return el(
            "queue",
            None,
            link(f"{self.base}/available", f"{SCHEMAS}/queues.available", "available queue"),
            link(f"{self.base}/saved", f"{SCHEMAS}/queues.saved", "saved queue"),
            el("url_template", f"{target}?{{-join|&|sort|start_index|max_results}}"),
            el("number_of_results", total),
            el("start_index", start_index),
            el("results_per_page", len(items)),
            el("etag", self.queue.etag),
            *(self.item(listed) for listed in items),
        )


def listed_entries(queue: Queue, state: str | None) -> list[Listed]:
    """Available entries (with positions) then saved ones, or only one part."""
    listed: list[Listed] = []
    if state in (None, "available"):
        listed += [Listed(e, i + 1) for i, e in enumerate(queue.available)]
    if state in (None, "saved"):
        listed += [Listed(e, None) for e in queue.saved]
    return listed


def write_status(view: QueueView, listed: Listed, *, moved: bool) -> Node:
    """201 after an add or move: the item in its new place and the queue's new etag."""
    message = "Move successful" if moved else "Title added to queue"
    return status_document(
        201,
        message,
        None,
        el("resources_created", None, view.item(listed)),
        el("etag", view.queue.etag),
    )


def delete_status(queue: Queue) -> Node:
    """200 after a delete, with the queue's new etag."""
    return status_document(200, "Title deleted from queue", None, el("etag", queue.etag))
