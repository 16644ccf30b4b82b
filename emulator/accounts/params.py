"""Parsing and validating the parameters of the `/users/...` resources, with Netflix's errors."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from starlette.requests import Request

from emulator.http import NetflixError, parse_digits, read_page

if TYPE_CHECKING:
    from emulator.catalog.data import Catalog, Title

DEFAULT_MAX_RESULTS = 25
# Queue and history listings accepted 500 (clients page queues with max_results=500).
MAX_RESULTS_LIMIT = 500
MAX_TITLE_REFS = 500
QUEUE_SORTS = ("queue_sequence", "date_added", "alphabetical")


@dataclass(frozen=True, slots=True)
class Page:
    """A 0-based `start_index` and a `max_results` page size."""

    start_index: int
    max_results: int


def page(params: Mapping[str, str], default: int = DEFAULT_MAX_RESULTS) -> Page:
    """Read `start_index`/`max_results`; 400/120 for a bad page size, values above 500 clamp."""
    return Page(*read_page(params, default=default, limit=MAX_RESULTS_LIMIT))


def updated_min(params: Mapping[str, str]) -> int | None:
    """`updated_min` as epoch seconds: Unix epoch or RFC 3339 accepted; 400 otherwise."""
    raw = (params.get("updated_min") or "").strip()
    if not raw:
        return None
    epoch = parse_digits(raw)
    if epoch is not None:
        return epoch
    try:
        moment = datetime.fromisoformat(raw.replace("z", "Z"))
    except ValueError:
        raise NetflixError(400, "updated_min is invalid") from None
    if moment.tzinfo is None:
        raise NetflixError(400, "updated_min is invalid")
    return int(moment.timestamp())


def queue_sort(params: Mapping[str, str]) -> str:
    """`sort`: queue_sequence (default), date_added or alphabetical; 400 otherwise."""
    value = params.get("sort") or "queue_sequence"
    if value not in QUEUE_SORTS:
        raise NetflixError(400, "sort is invalid")
    return value


def title_refs(catalog: Catalog, params: Mapping[str, str]) -> list[Title]:
    """The required comma-separated `title_refs`; any unknown ref fails the whole call (400)."""
    raw = params.get("title_refs") or ""
    refs = [r.strip() for r in raw.split(",") if r.strip()]
    if not refs or len(refs) > MAX_TITLE_REFS:
        raise NetflixError(400, "title_refs is invalid")
    titles: list[Title] = []
    for ref in refs:
        title = catalog.resolve_ref(ref)
        if title is None:
            raise NetflixError(400, "title_refs is invalid")
        if all(t.id != title.id for t in titles):
            titles.append(title)
    return titles


def position(raw: str | None) -> int | None:
    """An optional 1-based queue `position`; 400 "position is invalid" otherwise."""
    if raw is None or not raw.strip():
        return None
    try:
        value = int(raw)
    except ValueError:
        raise NetflixError(400, "position is invalid") from None
    if value < 1:
        raise NetflixError(400, "position is invalid")
    return value


async def write_params(request: Request) -> dict[str, str]:
    """Parameters of a POST/PUT: the urlencoded or multipart body, then the query string."""
    values: dict[str, str] = {}
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        try:
            form = await request.form()
        except Exception as exc:  # malformed multipart bodies raise parser-specific errors
            raise NetflixError(400, "Request body is invalid") from exc
        for key, value in form.multi_items():
            if isinstance(value, str):
                values.setdefault(key, value)
    for key, value in request.query_params.multi_items():
        values.setdefault(key, value)
    return values
