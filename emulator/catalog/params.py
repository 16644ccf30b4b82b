"""Query parameters shared by catalog resources, each refused with Netflix's 400 when bad."""

from __future__ import annotations

from starlette.requests import Request

from emulator.http import NetflixError, parse_digits, read_page

DEFAULT_MAX_RESULTS = 25
MAX_RESULTS_LIMIT = 100


def paging(
    request: Request, *, default: int = DEFAULT_MAX_RESULTS, limit: int = MAX_RESULTS_LIMIT
) -> tuple[int, int]:
    """`(start_index, max_results)`: 0-based offset and page size (clamped to `limit`)."""
    return read_page(request.query_params, default=default, limit=limit)


def term(request: Request) -> str:
    """The required, non-blank `term`."""
    value = request.query_params.get("term", "")
    if not value.strip():
        raise NetflixError(400, "term is invalid")
    return value


def numeric_id(raw: str) -> int:
    """A path id; anything but a plain positive integer is a 404, as Netflix answered."""
    value = parse_digits(raw)
    if value is None:
        raise NetflixError(404, "Resource not found")
    return value
