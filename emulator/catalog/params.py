"""Query parameters shared by catalog resources, each refused with Netflix's 400 when bad."""

from __future__ import annotations

from starlette.requests import Request

from emulator.http import NetflixError

DEFAULT_MAX_RESULTS = 25
MAX_RESULTS_LIMIT = 100
MAX_RESULTS_SUB_CODE = 120


def paging(
    request: Request, *, default: int = DEFAULT_MAX_RESULTS, limit: int = MAX_RESULTS_LIMIT
) -> tuple[int, int]:
    """`(start_index, max_results)`: 0-based offset and page size (clamped to `limit`)."""
    raw_max = request.query_params.get("max_results")
    max_results = default
    if raw_max is not None:
        try:
            max_results = int(raw_max.strip())
        except ValueError:
            max_results = 0
        if max_results < 1:
            raise NetflixError(
                400, "Query parameter max_results must be a positive integer.", MAX_RESULTS_SUB_CODE
            )
    raw_start = request.query_params.get("start_index")
    start_index = 0
    if raw_start is not None:
        try:
            start_index = int(raw_start.strip())
        except ValueError:
            start_index = -1
        if start_index < 0:
            raise NetflixError(400, "start_index is invalid")
    return start_index, min(max_results, limit)


def term(request: Request) -> str:
    """The required, non-blank `term`."""
    value = request.query_params.get("term", "")
    if not value.strip():
        raise NetflixError(400, "term is invalid")
    return value


def numeric_id(raw: str) -> int:
    """A path id; anything but a plain positive integer is a 404, as Netflix answered."""
    if not raw.isascii() or not raw.isdigit() or len(raw) > 12:
        raise NetflixError(404, "Resource not found")
    return int(raw)
