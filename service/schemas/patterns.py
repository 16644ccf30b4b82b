"""The shapes of free-text inputs, as JSON Schema patterns, each with what it means in words.

They are declared on the parameters and fields of the API, so the OpenAPI document states
exactly what is accepted, and `service.field_errors` answers a mismatch with the message here
rather than with a regular expression.
"""

from __future__ import annotations

from dataclasses import dataclass

from service.limits import ID_REGEX, TITLE_KINDS
from service.schemas.home_sections import HomeSection
from service.schemas.titles import TitlePart


@dataclass(frozen=True, slots=True)
class InputPattern:
    """A pattern and the sentence a client reads when a value does not match it."""

    regex: str
    message: str


_ID = ID_REGEX
_NOT_SERIES = "|".join(kind for kind in TITLE_KINDS if kind != "series")
_PORT = r"(:([0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?"
_REF = (
    rf"((https?://[A-Za-z0-9.-]+{_PORT})?/catalog/titles/)?"
    rf"(({_NOT_SERIES})/{_ID}|series/{_ID}(/seasons/{_ID})?)/?"
)
_PART = "(" + "|".join(part.value for part in TitlePart) + ")"
_SECTION = "(" + "|".join(section.value for section in HomeSection) + ")"

TITLE_REF = InputPattern(
    rf"^\s*{_REF}\s*$",
    "must be a title such as movies/60010110 or series/70136120/seasons/70136130, or its title URL",
)
TITLE_REF_LIST = InputPattern(
    rf"^[\s,]*{_REF}(\s*,[\s,]*{_REF})*[\s,]*$",
    "must be titles such as movies/60010110 (or their title URLs), comma-separated",
)
INCLUDE = InputPattern(
    rf"^[\s,]*({_PART}(\s*,[\s,]*{_PART})*)?[\s,]*$",
    "must be parts from " + ", ".join(part.value for part in TitlePart) + ", comma-separated",
)
HOME_SECTIONS = InputPattern(
    rf"^[\s,]*{_SECTION}(\s*,[\s,]*{_SECTION})*[\s,]*$",
    "must be sections from " + ", ".join(s.value for s in HomeSection) + ", comma-separated",
)
SEARCH_TERM = InputPattern(r"\S", "must contain something other than spaces")
RETURN_TO = InputPattern(
    r"^[^#]*$", "must not carry a fragment (#...): the session is sent there in one"
)
IDEMPOTENCY_KEY = InputPattern(
    r"^[!-~]([ -~]{0,253}[!-~])?$",
    'must be 1 to 255 printable ASCII characters, e.g. a UUID, optionally quoted ("...")',
)
CACHE_GROUP = InputPattern(
    r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$",
    "must be a cache group such as titles or titles.search",
)

MESSAGES: dict[str, str] = {
    pattern.regex: pattern.message
    for pattern in (
        TITLE_REF,
        TITLE_REF_LIST,
        INCLUDE,
        HOME_SECTIONS,
        SEARCH_TERM,
        RETURN_TO,
        IDEMPOTENCY_KEY,
        CACHE_GROUP,
    )
}
