"""Helpers every normalizer shares: scalars, epochs, links, categories, HTML, pages."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import orjson

from service.errors import BadUpstream
from service.netflix.document import Doc, Node
from service.schemas.common import Page
from service.schemas.titles import RatingSystem, TitleFormat
from service.schemas.users import TitleAction

SCHEMAS = "http://schemas.netflix.com/"
_TAG_RE = re.compile(r"<[^>]*>")
_BREAK_RE = re.compile(r"<\s*(?:br|p)\b[^>]*>", re.IGNORECASE)
_SPACE_RE = re.compile(r"\s+")
_MATURITY_SYSTEMS = {"mpaa_ratings": RatingSystem.MPAA, "tv_ratings": RatingSystem.TV}
PageT = TypeVar("PageT", bound=Page[Any])
# The bound of each memo of upstream strings (rels, schemes, dates...): cleared when full.
_MAX_MEMO = 4096


# Integers JSON writers (orjson, and most clients' parsers) hold: 64 bits, signed.
INT_RANGE = range(-(2**63), 2**63)


def to_int(value: str | None) -> int | None:
    """An integer from upstream text (`"25"`, `"25.0"`); None when absent, not a number, or
    beyond 64 bits (no count or year is that large; orjson could not write it)."""
    if value is None:
        return None
    try:
        number = int(value.strip())
    except ValueError:
        try:
            decimal = float(value)
        except ValueError:
            return None
        if not decimal.is_integer():
            return None
        number = int(decimal)
    return number if number in INT_RANGE else None


def to_float(value: str | None) -> float | None:
    """A decimal from upstream text; None when absent or not a number."""
    if value is None:
        return None
    try:
        return float(value.strip())
    except ValueError:
        return None


def to_bool(value: str | None) -> bool | None:
    """`true`/`false` (any case, or 1/0) from upstream text."""
    if value is None:
        return None
    lowered = value.strip().lower()
    if lowered in {"true", "1", "yes"}:
        return True
    if lowered in {"false", "0", "no"}:
        return False
    return None


_EPOCHS: dict[str, datetime | None] = {}


def epoch(value: str | None) -> datetime | None:
    """Unix epoch seconds as an aware UTC datetime; None when absent or invalid.

    Memoized: the catalog index repeats a few thousand availability dates over its titles.
    """
    if value is None:
        return None
    if value in _EPOCHS:
        return _EPOCHS[value]
    found = _epoch(value)
    if len(_EPOCHS) >= _MAX_MEMO:
        _EPOCHS.clear()
    _EPOCHS[value] = found
    return found


def _epoch(value: str) -> datetime | None:
    seconds = to_float(value)
    if seconds is None or seconds < 0:
        return None
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def html_to_text(markup: str) -> str:
    """Plain text of Netflix's HTML snippets: tags stripped, entities decoded, spaces collapsed."""
    spaced = _BREAK_RE.sub(" ", markup)
    return _SPACE_RE.sub(" ", html.unescape(_TAG_RE.sub("", spaced))).strip()


def rel_is(rel: str | None, suffix: str) -> bool:
    """True when a link `rel` names `suffix` under the schemas host (`catalog/title`)."""
    if rel is None:
        return False
    rel = rel.strip()
    return rel == suffix or rel.endswith("/" + suffix)


_SUFFIXES: dict[str, tuple[str, ...]] = {}
_SCHEME_MATCHES: dict[tuple[str, str], bool] = {}


def suffixes(rel: str) -> tuple[str, ...]:
    """Every suffix `rel_is` accepts for a rel; memoized (upstream rels are a small set)."""
    found = _SUFFIXES.get(rel)
    if found is None:
        found = (rel, *(rel[i + 1 :] for i, char in enumerate(rel) if char == "/"))
        if len(_SUFFIXES) >= _MAX_MEMO:
            _SUFFIXES.clear()
        _SUFFIXES[rel] = found
    return found


class Links:
    """The `link` children of one element, indexed once by every rel suffix they answer to.

    A title is asked for a dozen rels; indexing its links once makes each ask one dict
    lookup (`rel_is` semantics: the whole rel, or any part of it after a `/`).
    """

    __slots__ = ("_by_suffix", "_rels")

    def __init__(self, doc: Doc) -> None:
        self._rels = [((link.attr("rel") or "").strip(), link) for link in doc.children("link")]
        index: dict[str, list[Doc]] = {}
        for rel, link in self._rels:
            for suffix in suffixes(rel):
                if suffix in index:
                    index[suffix].append(link)
                else:
                    index[suffix] = [link]
        self._by_suffix = index

    def all(self, suffix: str) -> list[Doc]:
        """The links whose rel names `suffix`, in document order."""
        return list(self._by_suffix.get(suffix, ()))

    def first(self, suffix: str) -> Doc | None:
        """The first link whose rel names `suffix`."""
        found = self._by_suffix.get(suffix)
        return found[0] if found else None

    def __iter__(self) -> Iterator[tuple[str, Doc]]:
        return iter(self._rels)


def links(doc: Doc, suffix: str) -> list[Doc]:
    """The `link` children whose rel ends with `suffix`."""
    return Links(doc).all(suffix)


def first_link(doc: Doc, suffix: str) -> Doc | None:
    """The first `link` child whose rel ends with `suffix`."""
    return Links(doc).first(suffix)


def scheme_is(scheme: str | None, suffix: str) -> bool:
    """True when a category scheme ends with `/categories/{suffix}` or `/{suffix}` on any host."""
    if scheme is None:
        return False
    key = (scheme, suffix)
    found = _SCHEME_MATCHES.get(key)
    if found is None:  # upstream schemes are a small set: remember each answer
        found = scheme.strip().rstrip("/").endswith("/" + suffix)
        if len(_SCHEME_MATCHES) >= _MAX_MEMO:
            _SCHEME_MATCHES.clear()
        _SCHEME_MATCHES[key] = found
    return found


@dataclass(frozen=True, slots=True)
class Category:
    """A `category` element, read once."""

    scheme: str
    label: str
    term: str
    content: str


def categories(doc: Doc) -> list[Category]:
    """Every `category` child with its label (falling back to term) and content."""
    found: list[Category] = []
    for node in doc.children("category"):
        label = (node.attr("label") or node.attr("term") or node.text()).strip()
        term = (node.attr("term") or label).strip()
        found.append(Category(node.attr("scheme") or "", label, term, node.text().strip()))
    return found


# Delivery formats: the usual scheme, and the 2008-era `/catalog/titles/format(s)` ones.
FORMAT_SCHEMES = ("title_formats", "titles/format", "titles/formats")


def labels(items: Iterable[Category], *schemes: str) -> list[str]:
    """Labels of categories in any of `schemes`, in order, without duplicates."""
    seen: dict[str, None] = {}
    for item in items:
        if item.label and item.label not in seen:
            for scheme in schemes:
                if scheme_is(item.scheme, scheme):
                    seen[item.label] = None
                    break
    return list(seen)


def _word(label: str) -> str:
    """A label reduced to its letters and digits, lower case: how vocabularies are matched."""
    return "".join(ch for ch in label.lower() if ch.isalnum())


# Delivery formats by reduced label, whatever the upstream's casing or spelling ("Instant" in
# queues and title states, "instant" in format availability, as recorded).
_FORMATS = {_word(f.value): f for f in TitleFormat} | {"bluray": TitleFormat.BLU_RAY}
_ACTIONS = {_word(a.value): a for a in TitleAction}


def format_name(label: str) -> TitleFormat | None:
    """The format a label names (`Instant`, `dvd`, `BLU-RAY`...); None for anything else."""
    return _FORMATS.get(_word(label))


def format_labels(items: Iterable[Category]) -> list[TitleFormat]:
    """Delivery formats among categories, in order, without duplicates; unknown labels dropped."""
    names = (format_name(label) for label in labels(items, *FORMAT_SCHEMES))
    return list(dict.fromkeys(name for name in names if name is not None))


def title_actions(items: Iterable[Category]) -> list[TitleAction]:
    """Title-state labels (`Play`, `In Queue`...) as actions; unknown labels dropped."""
    names = (_ACTIONS.get(_word(label)) for label in labels(items, "title_states"))
    return list(dict.fromkeys(name for name in names if name is not None))


def maturity_system(scheme: str) -> RatingSystem | None:
    """The rating system a category scheme names (`.../mpaa_ratings`, `.../tv_ratings`)."""
    for suffix, system in _MATURITY_SYSTEMS.items():
        if scheme_is(scheme, suffix):
            return system
    return None


_GENRES = "genres"
_UNKNOWN = "unknown"  # a scheme not judged yet (`_SCHEME_KINDS` never holds it)
_SCHEME_KINDS: dict[str, RatingSystem | str | None] = {}


def _scheme_kind(scheme: str) -> RatingSystem | str | None:
    """`_GENRES`, a rating system, or None for a category scheme; memoized."""
    kind = _SCHEME_KINDS.get(scheme, _UNKNOWN)
    if kind is not _UNKNOWN:
        return kind
    kind = _GENRES if scheme_is(scheme, _GENRES) else maturity_system(scheme)
    if len(_SCHEME_KINDS) >= _MAX_MEMO:
        _SCHEME_KINDS.clear()
    _SCHEME_KINDS[scheme] = kind
    return kind


def genres_and_rating(cats: Iterable[Node]) -> tuple[list[str], dict[str, Any] | None]:
    """Genre labels (in order, without duplicates) and the first maturity rating (its value
    upper case, `pg-13` is PG-13, as `MaturityRating` fields) among `category` nodes."""
    genres: dict[str, None] = {}
    rating: dict[str, Any] | None = None
    kinds = _SCHEME_KINDS
    for node in cats:
        scheme = node.get("scheme") or ""
        kind = kinds.get(scheme, _UNKNOWN)
        if kind is _UNKNOWN:
            kind = _scheme_kind(scheme)
        if kind is None or (rating is not None and kind is not _GENRES):
            continue
        label = (node.get("label") or node.get("term") or node.text or "").strip()
        if not label:
            continue
        if kind is _GENRES:
            genres[label] = None
        else:
            rating = {"system": kind, "value": label.upper()}
    return list(genres), rating


def dump_json(values: object) -> bytes:
    """JSON-ready values (fields of the public models) as the bytes pydantic would write."""
    return orjson.dumps(values, option=orjson.OPT_UTC_Z)


@dataclass(frozen=True, slots=True)
class PageInfo:
    """The header of a Netflix collection."""

    total: int
    start_index: int
    page_size: int

    def next_index(self, count: int) -> int | None:
        """start_index of the following page, or None when this one is the last."""
        following = self.start_index + count
        return following if count > 0 and following < self.total else None


def page_info(doc: Doc, count: int) -> PageInfo:
    """Read `number_of_results`, `start_index`, `results_per_page` (defaults from `count`)."""
    total = to_int(doc.child_text("number_of_results"))
    start = to_int(doc.child_text("start_index"))
    size = to_int(doc.child_text("results_per_page"))
    return PageInfo(
        total=max(total if total is not None else count, 0),
        start_index=max(start or 0, 0),
        page_size=max(size if size is not None else count, 0),
    )


def page_fields(doc: Doc, items: list[Any], *, page_size: int) -> dict[str, Any]:
    """`items` as `Page` fields, in its field order, totals read from the header of `doc`.

    `page_size` is the size the client asked for (or its default), whatever the upstream
    wrote in `results_per_page` (some resources echo the size asked, others count the items).
    """
    info = page_info(doc, len(items))
    return {
        "items": items,
        "total": info.total,
        "start_index": info.start_index,
        "page_size": page_size,
        "next": info.next_index(len(items)),
    }


def to_page(cls: type[PageT], doc: Doc, items: list[Any], *, page_size: int) -> PageT:
    """`items` as a `cls` page (`page_fields`)."""
    return cls.model_validate(page_fields(doc, items, page_size=page_size))


def expect_root(doc: Doc, *tags: str) -> None:
    """`BadUpstream` unless the document's root is one of `tags`."""
    if doc.tag not in tags:
        raise BadUpstream(f"expected a {' or '.join(tags)} document, got {doc.tag!r}")
