"""The bounds of catalog inputs, in one place: title kinds, id range, term and paging limits.

Routers declare them on their parameters, the front tier checks raw requests against them,
and upstream refs are parsed with them, so every tier refuses and accepts the same values.
"""

from __future__ import annotations

import enum


class TitleCollection(enum.StrEnum):
    """The first half of a short title id (`movies/60010110`): where the title is listed."""

    MOVIES = "movies"
    SERIES = "series"
    PROGRAMS = "programs"
    DISCS = "discs"


# The first half of a short title id (`movies/60010110`), as a regular expression group.
TITLE_KINDS = tuple(kind.value for kind in TitleCollection)
KIND_REGEX = "(?:" + "|".join(TITLE_KINDS) + ")"
# Numeric ids of titles, seasons and people: 1 to 15 decimal digits, no leading zero.
MAX_ID = 10**15 - 1
ID_REGEX = r"[1-9][0-9]{0,14}"

MAX_TERM_LENGTH = 200
MAX_START_INDEX = 100_000
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 25
# Suggestions answered by autocomplete.
AUTOCOMPLETE_SIZE = 10
# Seasons inlined by `include=seasons` (one upstream page; no series has more).
MAX_INLINED_SEASONS = 100
# Similar titles inlined by `include=similars`: the first page, as Netflix expanded them.
MAX_INLINED_SIMILARS = 10
