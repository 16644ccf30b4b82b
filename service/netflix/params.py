"""Checks and encodings of upstream call parameters shared by every resource's calls."""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import quote

from service.errors import InvalidInput
from service.limits import MAX_PAGE_SIZE, MAX_TERM_LENGTH
from service.netflix.refs import TitleRef

# How many title refs one `title_refs` parameter carries (longer lists are asked in chunks).
TITLE_REFS_CHUNK = 50
USER_ID = re.compile(r"[A-Za-z0-9._~-]{1,128}")


def page(
    start_index: int, max_results: int, *, limit: int = MAX_PAGE_SIZE
) -> list[tuple[str, str]]:
    """`start_index` and `max_results`, refused before any call when out of range."""
    if start_index < 0:
        raise InvalidInput("start_index must be zero or more")
    if not 1 <= max_results <= limit:
        raise InvalidInput(f"max_results must be between 1 and {limit}")
    return [("start_index", str(start_index)), ("max_results", str(max_results))]


def search_term(term: str) -> str:
    """A search term with its whitespace collapsed; empty or overlong ones are refused."""
    cleaned = " ".join(term.split())
    if not cleaned:
        raise InvalidInput("a search term is required")
    if len(cleaned) > MAX_TERM_LENGTH:
        raise InvalidInput("the search term is too long")
    return cleaned


def user_path(user_id: str) -> str:
    """`/users/{id}`, for a user id of the shape Netflix issues (nothing else reaches a path)."""
    if not USER_ID.fullmatch(user_id):
        raise InvalidInput("malformed Netflix user id")
    return "/users/" + quote(user_id, safe="")


def chunks(refs: Sequence[TitleRef], size: int = TITLE_REFS_CHUNK) -> list[Sequence[TitleRef]]:
    """`refs` in slices of at most `size`."""
    return [refs[i : i + size] for i in range(0, len(refs), size)]
