"""One catalog title read in a single pass over its children, into JSON-ready values.

A search page is two dozen titles, each read on every miss. The reader walks a title's
children once (lxml's own iteration for XML answers, no view object per child), files its
links by the few rels it asks about, and returns a plain dict in `Title`'s field order:
`dump_json` writes it as pydantic would write the model, `Title` validates it where a model
is wanted. Expanded parts (rare, and larger) are read by the `Doc` readers of their modules.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel

from service.errors import BadUpstream
from service.netflix.document import Doc, Node, doc_of
from service.netflix.normalize.common import (
    INT_RANGE,
    categories,
    format_labels,
    genres_and_rating,
    html_to_text,
    suffixes,
    to_float,
    to_int,
)
from service.netflix.normalize.members import expansion, members
from service.netflix.normalize.parts import availability, awards, languages, screen_formats
from service.netflix.normalize.people import person_refs
from service.netflix.normalize.seasons import (
    DISCS_REL,
    EPISODES_REL,
    SEASONS_REL,
    disc_summaries,
    episode_summaries,
    season_summaries,
)
from service.netflix.refs import TitleRef, title_id
from service.schemas.titles import TitleKind, TitlePart

T = TypeVar("T")
Fields = dict[str, Any]

# The link rel of each inlinable part of a title.
PART_RELS: dict[TitlePart, str] = {
    TitlePart.SYNOPSIS: "catalog/titles/synopsis",
    TitlePart.CAST: "catalog/people.cast",
    TitlePart.DIRECTORS: "catalog/people.directors",
    TitlePart.FORMATS: "catalog/titles/format_availability",
    TitlePart.SCREEN_FORMATS: "catalog/titles/screen_formats",
    TitlePart.LANGUAGES: "catalog/titles/languages_and_audio",
    TitlePart.AWARDS: "catalog/titles/awards",
    TitlePart.SEASONS: SEASONS_REL,
    TitlePart.EPISODES: EPISODES_REL,
    TitlePart.DISCS: DISCS_REL,
    TitlePart.SIMILARS: "catalog/titles.similars",
}
SERIES_REL = "catalog/titles.series"
SEASON_REL = "catalog/titles.season"
# Every rel suffix the reader asks a title's links for (`rel_is` semantics).
_ASKED = frozenset(
    {"catalog/title", "id", "alternate", SERIES_REL, SEASON_REL, *PART_RELS.values()}
)
_BOX_ART = "/box_art/"
# The list parts, null until `_read_parts` finds them expanded.
_NO_PARTS: Fields = dict.fromkeys(
    (
        "cast_members",
        "directors",
        "availability",
        "screen_formats",
        "languages",
        "awards",
        "similars",
        "seasons",
        "episodes",
        "discs",
    )
)
_RELS: dict[str | None, tuple[str, ...]] = {}
_MAX_RELS = 4096


def _asked(rel: str | None) -> tuple[str, ...]:
    """The asked suffixes a rel (as sent) answers to, and `_BOX_ART` for box art; memoized."""
    found = _RELS.get(rel)
    if found is None:
        text = (rel or "").strip()
        found = tuple(s for s in suffixes(text) if s in _ASKED)
        if _BOX_ART in text:
            found += (_BOX_ART,)
        if len(_RELS) >= _MAX_RELS:
            _RELS.clear()
        _RELS[rel] = found
    return found


def _text(node: Node | None) -> str | None:
    """`Doc.child_text` of a child already found: stripped text, None when absent or empty."""
    if node is None:
        return None
    return (node.text or "").strip() or None


def _int(node: Node | None) -> int | None:
    """`to_int(_text(node))`, reading the usual plain number without stripping it first
    (`int` and `float` ignore surrounding whitespace as `str.strip` does)."""
    text = None if node is None else node.text
    if text is None:
        return None
    try:
        number = int(text)
    except ValueError:
        return to_int(text.strip() or None)
    return number if number in INT_RANGE else None


def _float(node: Node | None) -> float | None:
    """`to_float(_text(node))`, like `_int`."""
    text = None if node is None else node.text
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        return to_float(text.strip() or None)


def _inner(link: Node | None) -> list[Doc] | None:
    """What an expanded link wraps (`members.expansion`); None, cheaply, when it wraps nothing."""
    if link is None or not len(link):
        return None
    return expansion(doc_of(link))


def _dumped(models: list[Any] | None) -> list[Fields] | None:
    return None if models is None else [m.model_dump() for m in models]


def _part(link: Node | None, tag: str, read: Callable[[Doc], list[T]]) -> list[T] | None:
    """One expanded part; None when its link was not expanded, [] when it is empty."""
    inner = _inner(link)
    if inner is None:
        return None
    found = next((n for n in inner if n.tag == tag), None)
    return read(found) if found is not None else []


def _people(link: Node | None, *, ref_base: str) -> list[Fields] | None:
    inner = _inner(link)
    if inner is None:
        return None
    found: list[BaseModel] = []
    for node in inner:
        if node.tag == "people":
            found.extend(person_refs(node, ref_base=ref_base))
        else:  # one person, not wrapped in `people`
            found.extend(person_refs(_Only(node), ref_base=ref_base))
    return _dumped(found)


class _Only(Doc):
    """Presents one element as the only child of a container."""

    def __init__(self, only: Doc) -> None:
        self.tag = "wrapper"
        self._only = only

    def attr(self, name: str) -> str | None:
        return None

    def text(self) -> str:
        return ""

    def children(self, tag: str | None = None) -> list[Doc]:
        return [self._only] if tag is None or self._only.tag == tag else []


def title_links(nodes: list[Doc] | None, *, ref_base: str) -> list[Fields] | None:
    """Titles listed in an expanded link, as `TitleLink` fields (similars)."""
    listed = members(nodes)
    if listed is None:
        return None
    return [{"id": m.ref.short, "ref": m.ref.url(ref_base), "title": m.name} for m in listed]


def _parent(link: Node, own: str, ref_base: str) -> Fields | None:
    """The series or season a title belongs to, from its link (never the title itself)."""
    found = TitleRef.from_upstream(link.get("href") or "")
    if found is None or found.short == own:
        return None
    return {"id": found.short, "ref": found.url(ref_base), "title": link.get("title")}


def _box_art(boxes: list[Node], art_links: list[Node]) -> dict[str, str]:
    art: dict[str, str] = {}
    for box in boxes:
        for size in ("small", "medium", "large"):
            url = box.get(size)
            if url:
                art[size] = url
        for link in box if len(box) else ():
            href = link.get("href") if link.tag == "link" else None
            if href:
                art[(link.get("rel") or "").rstrip("/").rsplit("/", 1)[-1] or "default"] = href
    for link in art_links:
        href = link.get("href")
        if href:
            art[(link.get("rel") or "").strip().rstrip("/").rsplit("/", 1)[-1]] = href
    return art


def title_fields(node: Node, *, ref_base: str) -> Fields:
    """Any catalog_title-like element as `Title` fields; unexpanded parts stay null."""
    own: dict[str, Node] = {}
    linked: dict[str, Node] = {}
    art_links: list[Node] = []
    cats: list[Node] = []
    boxes: list[Node] = []
    expanded = False
    for child in node:
        tag = child.tag
        if tag == "link":
            rel = child.get("rel")
            asked = _RELS.get(rel)
            if asked is None:
                asked = _asked(rel)
            if asked:  # links that answer to nothing asked (bonus materials...) are done
                for suffix in asked:
                    if suffix is _BOX_ART:
                        art_links.append(child)
                    elif suffix not in linked:
                        linked[suffix] = child
                # Only asked links are read as parts: an expanded other link changes nothing.
                if len(child):
                    expanded = True
        elif tag == "category":
            cats.append(child)
        elif tag == "box_art":
            boxes.append(child)
        elif tag not in own:
            own[tag] = child
    short_id, kind = _ref(node, own.get("id"), linked)
    names = own.get("title")
    regular = short = ""
    if names is not None:
        regular = names.get("regular") or (names.text or "").strip()
        short = names.get("short") or regular
        regular = regular or short
    genres, rating = genres_and_rating(cats)
    web = linked.get("alternate")
    synopsis = own.get("synopsis")
    synopsis_html = None if synopsis is None else (synopsis.text or "").strip()
    series, season = linked.get(SERIES_REL), linked.get(SEASON_REL)
    fields = {
        "id": short_id,
        "ref": f"{ref_base.rstrip('/')}/catalog/titles/{short_id}",
        "kind": kind,
        "title": regular,
        "short_title": short,
        "release_year": _int(own.get("release_year")),
        "runtime_s": _int(own.get("runtime")),
        "average_rating": _float(own.get("average_rating")),
        "predicted_rating": _float(own.get("predicted_rating")),
        "box_art": _box_art(boxes, art_links) if boxes or art_links else {},
        "genres": genres,
        "maturity_rating": rating,
        "formats": None,
        "web_page": web.get("href") if web is not None else None,
        "season_number": _int(own.get("season_number")),
        "series": None if series is None else _parent(series, short_id, ref_base),
        "season": None if season is None else _parent(season, short_id, ref_base),
        "synopsis_html": synopsis_html,
        "synopsis_text": None if synopsis_html is None else html_to_text(synopsis_html),
        **_NO_PARTS,
    }
    if expanded:
        _read_parts(fields, node, linked, ref_base)
    return fields


def _ref(node: Node, id_node: Node | None, linked: dict[str, Node]) -> tuple[str, TitleKind]:
    """The short id and kind of a title-like element: from its `id`, else its
    `catalog/title` link."""
    found = title_id(_text(id_node) or "")
    if found is None:
        link = linked.get("catalog/title", linked.get("id"))
        found = title_id(link.get("href") or "") if link is not None else None
    if found is None:
        raise BadUpstream(f"a {node.tag} without a catalog title reference")
    return found


def _read_parts(fields: Fields, node: Node, linked: dict[str, Node], ref_base: str) -> None:
    """Fill `fields` with the parts whose links were expanded (in place, keeping its order)."""
    rels = PART_RELS
    if fields["synopsis_html"] is None:
        inner = _inner(linked.get(rels[TitlePart.SYNOPSIS]))
        if inner is not None:
            markup = " ".join(n.text().strip() for n in inner if n.tag == "synopsis").strip()
            fields["synopsis_html"], fields["synopsis_text"] = markup, html_to_text(markup)
    available = _part(
        linked.get(rels[TitlePart.FORMATS]), "delivery_formats", lambda d: availability(d.node())
    )
    if available is not None:  # formats are named only when the availability was asked for
        named = format_labels(categories(doc_of(node)))
        fields["formats"] = list(dict.fromkeys([*named, *(a["format"] for a in available)]))
    fields["cast_members"] = _people(linked.get(rels[TitlePart.CAST]), ref_base=ref_base)
    fields["directors"] = _people(linked.get(rels[TitlePart.DIRECTORS]), ref_base=ref_base)
    fields["availability"] = available
    fields["screen_formats"] = _dumped(
        _part(linked.get(rels[TitlePart.SCREEN_FORMATS]), "screen_formats", screen_formats)
    )
    fields["languages"] = _dumped(
        _part(linked.get(rels[TitlePart.LANGUAGES]), "languages_and_audio", languages)
    )
    fields["awards"] = _dumped(
        _part(linked.get(rels[TitlePart.AWARDS]), "awards", lambda n: awards(n, ref_base=ref_base))
    )
    fields["similars"] = title_links(
        _inner(linked.get(rels[TitlePart.SIMILARS])), ref_base=ref_base
    )
    fields["seasons"] = _dumped(
        season_summaries(_inner(linked.get(SEASONS_REL)), ref_base=ref_base)
    )
    fields["episodes"] = _dumped(
        episode_summaries(_inner(linked.get(EPISODES_REL)), ref_base=ref_base)
    )
    fields["discs"] = _dumped(disc_summaries(_inner(linked.get(DISCS_REL)), ref_base=ref_base))
