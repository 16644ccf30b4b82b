"""Every cached catalog read, declared once: path, parameters, cache group and TTL group.

The router registers each read at its declared path, the use cases key and time its cache
entries with `CatalogRead.key` and `CatalogRead.ttl_s`, the front tier (`service.front`)
recognizes raw requests with `recognize`, and the admin purge accepts the declared groups
(`PURGE_GROUPS`). Adding a cached read is one `CatalogRead` here, a normalizer, and a test.

Parameters come from one vocabulary (`PATH_PARAMS`, `QUERY_PARAMS`): each name has one rule
for its raw text (what the front tier accepts, the same bounds the routers declare) and one
canonical key value, so a raw request and a validated one give the same key.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Literal

from service.errors import InvalidInput
from service.limits import (
    DEFAULT_PAGE_SIZE,
    ID_REGEX,
    KIND_REGEX,
    MAX_PAGE_SIZE,
    MAX_START_INDEX,
    MAX_TERM_LENGTH,
)
from service.schemas.titles import TitlePart
from service.settings import Settings
from service.store import keys

API_PREFIX = "/v1"
TtlGroup = Literal["search", "title", "people", "autocomplete"]
KeyValue = str | int
_PARTS = {part.value: part for part in TitlePart}
_INT = re.compile(r"[0-9]{1,7}")
_PATH_PARAM = re.compile(r"\{([a-z_]+)\}")
# Templates hold plain segments and {parameters} only, so they read as regular expressions.
_TEMPLATE = re.compile(r"(/([a-z0-9_]+|\{[a-z_]+\}))+")


class NotUnderstoodError(Exception):
    """A raw value not in the exact form the routers accept: the front tier passes it on."""


def normalize_term(term: str) -> str:
    """Collapse whitespace; the cache key case-folds on top of this."""
    return " ".join(term.split())


def normalize_parts(parts: Iterable[TitlePart]) -> tuple[TitlePart, ...]:
    """Inlined parts in one canonical order, without duplicates."""
    return tuple(sorted(set(parts), key=lambda part: part.value))


def parse_include(raw: str | None) -> tuple[TitlePart, ...]:
    """Parse `include=synopsis,cast`: known part names, comma-separated, blanks ignored."""
    if raw is None:
        return ()
    names = [name.strip() for name in raw.split(",") if name.strip()]
    unknown = sorted({name for name in names if name not in _PARTS})
    if unknown:
        raise InvalidInput(
            f"unknown include part(s) {', '.join(unknown)}; choose from {', '.join(_PARTS)}"
        )
    return normalize_parts(_PARTS[name] for name in names)


# --- the parameter vocabulary ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueryParam:
    """How a query parameter is read from raw text, and its value when absent."""

    read: Callable[[str], object]
    default: object


def _raw_term(raw: str) -> str:
    if not raw.strip() or len(raw) > MAX_TERM_LENGTH:
        raise NotUnderstoodError
    return raw


def _raw_int(low: int, high: int) -> Callable[[str], int]:
    def read(raw: str) -> int:
        if not _INT.fullmatch(raw) or not low <= int(raw) <= high:
            raise NotUnderstoodError
        return int(raw)

    return read


def _raw_include(raw: str) -> tuple[TitlePart, ...]:
    try:
        return parse_include(raw)
    except InvalidInput as exc:
        raise NotUnderstoodError from exc


# Path parameters: the regular expression of their segment (ids are read as integers).
PATH_PARAMS: dict[str, str] = {
    "kind": KIND_REGEX,
    "title_id": ID_REGEX,
    "series_id": ID_REGEX,
    "season_id": ID_REGEX,
    "person_id": ID_REGEX,
}
QUERY_PARAMS: dict[str, QueryParam] = {
    "term": QueryParam(_raw_term, None),
    "start_index": QueryParam(_raw_int(0, MAX_START_INDEX), 0),
    "page_size": QueryParam(_raw_int(1, MAX_PAGE_SIZE), DEFAULT_PAGE_SIZE),
    "include": QueryParam(_raw_include, ()),
}


def _key_value(name: str, value: object) -> KeyValue:
    """The canonical form of one parameter in a cache key."""
    if name == "include":
        if isinstance(value, str):
            value = parse_include(value)
        if not isinstance(value, Iterable):
            raise TypeError(f"include must be parts, got {value!r}")
        return ",".join(part.value for part in normalize_parts(map(TitlePart, value)))
    if name == "term":
        return normalize_term(str(value))
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, int | str):
        return value
    raise TypeError(f"{name} must be text or a number, got {value!r}")


# --- the declarations -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CatalogRead:
    """One cached catalog read: where it is served, what keys it, how long it stays fresh."""

    operation_id: str
    group: str  # the cache resource, and the narrowest purge group
    path: str  # the public path template, /v1 included
    query: tuple[str, ...]
    ttl: TtlGroup
    _regex: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _path_names: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        names = tuple(_PATH_PARAM.findall(self.path))
        unknown = [n for n in names if n not in PATH_PARAMS]
        unknown += [n for n in self.query if n not in QUERY_PARAMS]
        if unknown or not _TEMPLATE.fullmatch(self.path):
            raise ValueError(f"{self.operation_id}: bad template or parameter(s) {unknown}")
        pattern = _PATH_PARAM.sub(lambda m: f"({PATH_PARAMS[m[1]]})", self.path)
        object.__setattr__(self, "_regex", re.compile(pattern))
        object.__setattr__(self, "_path_names", names)

    @property
    def route(self) -> str:
        """The path as the `/v1` router registers it."""
        return self.path.removeprefix(API_PREFIX)

    def key(self, **values: object) -> str:
        """The cache key: every declared parameter, defaults filled in, canonical form."""
        wanted = {*self._path_names, *self.query}
        missing = {n for n in self._path_names if n not in values}
        extra = set(values) - wanted
        if missing or extra:
            raise TypeError(f"{self.operation_id}: missing {missing or '-'}, extra {extra or '-'}")
        params = {
            name: _key_value(name, values[name] if name in values else _default(name))
            for name in sorted(wanted)
        }
        return keys.catalog(self.group, **params)

    def ttl_s(self, settings: Settings) -> float:
        """Freshness of this read's entries, from its TTL group's setting."""
        ttl: float = getattr(settings, f"cache_ttl_{self.ttl}_s")
        return ttl

    def match(self, path: str, params: Mapping[str, str]) -> str | None:
        """The key of a raw request for this read; None when the path is another read's.

        Raises `NotUnderstoodError` when the path is this read's but a value is not in the exact
        form the router accepts.
        """
        found = self._regex.fullmatch(path)
        if found is None:
            return None
        values: dict[str, object] = {}
        for name, text in zip(self._path_names, found.groups(), strict=True):
            values[name] = text if name == "kind" else int(text)
        for name in self.query:
            spec = QUERY_PARAMS[name]
            raw = params.get(name)
            values[name] = spec.read(raw) if raw is not None else spec.default
            if values[name] is None:
                raise NotUnderstoodError
        return self.key(**values)


def _default(name: str) -> object:
    spec = QUERY_PARAMS.get(name)
    if spec is None or spec.default is None:
        raise TypeError(f"{name} has no default")
    return spec.default


_PAGED = ("start_index", "page_size")

SEARCH_TITLES = CatalogRead(
    "search_titles", "titles.search", "/v1/titles", ("term", *_PAGED, "include"), "search"
)
AUTOCOMPLETE = CatalogRead(
    "autocomplete_titles",
    "titles.autocomplete",
    "/v1/titles/autocomplete",
    ("term",),
    "autocomplete",
)
GET_SEASON = CatalogRead(
    "get_season",
    "titles.get",
    "/v1/titles/series/{series_id}/seasons/{season_id}",
    ("include",),
    "title",
)
LIST_SEASONS = CatalogRead(
    "list_seasons", "titles.seasons", "/v1/titles/series/{series_id}/seasons", _PAGED, "title"
)
GET_TITLE = CatalogRead(
    "get_title", "titles.get", "/v1/titles/{kind}/{title_id}", ("include",), "title"
)
LIST_SIMILAR = CatalogRead(
    "list_similar_titles",
    "titles.similar",
    "/v1/titles/{kind}/{title_id}/similar",
    _PAGED,
    "title",
)
SEARCH_PEOPLE = CatalogRead(
    "search_people", "people.search", "/v1/people", ("term", *_PAGED), "people"
)
GET_PERSON = CatalogRead("get_person", "people.get", "/v1/people/{person_id}", (), "people")

READS: tuple[CatalogRead, ...] = (
    SEARCH_TITLES,
    AUTOCOMPLETE,
    GET_SEASON,
    LIST_SEASONS,
    GET_TITLE,
    LIST_SIMILAR,
    SEARCH_PEOPLE,
    GET_PERSON,
)


def _groups(reads: Iterable[CatalogRead]) -> tuple[str, ...]:
    found: set[str] = set()
    for read in reads:
        words = read.group.split(".")
        found.update(".".join(words[: n + 1]) for n in range(len(words)))
    return tuple(sorted(found))


# What `POST /v1/admin/cache/purge` accepts: each read's group and the groups above it.
PURGE_GROUPS = _groups(READS)


def recognize(path: str, params: Mapping[str, str]) -> tuple[CatalogRead, str] | None:
    """The read a raw GET names and its cache key, or None when it is not understood."""
    for read in READS:
        try:
            key = read.match(path, params)
        except NotUnderstoodError:
            return None
        if key is not None:
            return read, key
    return None
