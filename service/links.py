"""`Link` headers of paged answers (RFC 8288): `next`, `prev` and `first`, relative URIs.

Each link is the request's own path and query with `start_index` changed, as a relative
reference (`</v1/titles?term=up&start_index=25>; rel="next"`): never built from the Host
header, which the client chooses. `next` comes from the page itself (its `next` member, null on
the last page); `prev` steps back by the page size the client asked for (else the page's own)
and is left out on the first page, as `first` is.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, urlencode

import orjson
from starlette.types import Scope

# Every page body starts so (`schemas.common.Page`: `items` is its first member).
_PAGE_START = b'{"items":'


@dataclass(frozen=True, slots=True)
class Paging:
    """Where a page stands: its start, its size and the next page's start (None: the last)."""

    start_index: int
    page_size: int
    next: int | None


def paging_of(body: bytes) -> Paging | None:
    """The paging of a JSON page body; None for any other body (read only when it may be one)."""
    if not body.startswith(_PAGE_START):
        return None
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    start, size, following = (document.get(k) for k in ("start_index", "page_size", "next"))
    if not isinstance(start, int) or not isinstance(size, int):
        return None
    return Paging(start, size, following if isinstance(following, int) else None)


def page_link(scope: Scope, paging: Paging | None) -> bytes | None:
    """The Link header value of a page answered to this request, or None (no page, no link)."""
    if paging is None:
        return None
    pairs = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    base = quote(scope["path"], safe="/:@!$&'()*+,;=-._~")
    others = [(name, value) for name, value in pairs if name != "start_index"]
    step = _asked_size(pairs) or paging.page_size

    def target(start: int) -> str:
        return f"<{base}?{urlencode([*others, ('start_index', str(start))])}>"

    found: list[str] = []
    if paging.next is not None:
        found.append(f'{target(paging.next)}; rel="next"')
    if paging.start_index > 0:
        if step > 0:
            found.append(f'{target(max(0, paging.start_index - step))}; rel="prev"')
        found.append(f'{target(0)}; rel="first"')
    return ", ".join(found).encode("latin-1") if found else None


def _asked_size(pairs: list[tuple[str, str]]) -> int:
    """The page size asked for: the last `page_size`, as the router reads it; 0 when none is
    a plain ASCII number (`isdigit` alone accepts `²`, which `int` refuses)."""
    for name, value in reversed(pairs):
        if name == "page_size":
            return int(value) if value.isascii() and value.isdigit() else 0
    return 0
