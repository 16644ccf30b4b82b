"""A page of readers' fields: the collection header of a document around items already read."""

from __future__ import annotations

from typing import Any

from service.netflix.document import Doc
from service.netflix.normalize.common import page_info


def page_fields(doc: Doc, items: list[Any], *, page_size: int) -> dict[str, Any]:
    """`items` as `Page` fields, in its field order, totals read from the header of `doc`.

    `page_size` is the size the client asked for (as `common.to_page`, which builds models).
    """
    info = page_info(doc, len(items))
    return {
        "items": items,
        "total": info.total,
        "start_index": info.start_index,
        "page_size": page_size,
        "next": info.next_index(len(items)),
    }
