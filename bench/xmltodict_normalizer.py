"""The comparison for figure 4: a search normalizer written the way older client libraries
were, on xmltodict.

xmltodict turns the XML into nested dicts (`@name` attributes, `#text` text, a list for a
repeated child); this module walks those dicts and builds the proxy's search JSON itself,
sharing no code with the proxy's normalizer. It reads what a search answer carries without
`expand` (what the figure measures) and refuses a title with an expanded part.
"""

from __future__ import annotations

import html
import re
from typing import Any

import orjson
import xmltodict

_TITLE_URL = re.compile(
    r"/catalog/titles/(movies|series|programs|discs)/(\d+)(?:/seasons/(\d+))?/*$"
)
_KINDS = {"movies": "movie", "series": "series", "programs": "program", "discs": "disc"}
_RATINGS = {"mpaa_ratings": "mpaa", "tv_ratings": "tv"}
_PARTS = (
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


def _listed(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _text(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("#text") or "").strip()
    return "" if value is None else str(value).strip()


def _attr(value: Any, name: str) -> str | None:
    return value.get("@" + name) if isinstance(value, dict) else None


def _number(value: Any, kind: type[int] | type[float]) -> int | float | None:
    text = _text(value)
    try:
        number = float(text)
    except ValueError:
        return None
    if kind is float:
        return number
    return int(number) if number.is_integer() else None


def _title_ref(url: str | None) -> tuple[str, str] | None:
    """The short id and kind of a title URL."""
    match = _TITLE_URL.search(url or "")
    if match is None:
        return None
    collection, number, season = match.groups()
    if season:
        return f"series/{int(number)}/seasons/{int(season)}", "season"
    return f"{collection}/{int(number)}", _KINDS[collection]


def _scheme_name(scheme: str | None) -> str:
    return (scheme or "").strip().rstrip("/").rsplit("/", 1)[-1]


def _title(item: dict[str, Any], ref_base: str) -> dict[str, Any]:
    links = []
    for link in _listed(item.get("link")):
        if any(not key.startswith("@") for key in link):
            raise ValueError("a title with an expanded part: not read by this normalizer")
        links.append(((link.get("@rel") or "").strip(), link))
    ref = _title_ref(_text(item.get("id")))
    if ref is None:
        ref = next(
            (_title_ref(link.get("@href")) for rel, link in links if rel.endswith("catalog/title")),
            None,
        )
    if ref is None:
        raise ValueError("a title without an id")
    short_id, kind = ref
    names = item.get("title")
    regular = _attr(names, "regular") or _text(names)
    short = _attr(names, "short") or regular
    genres: list[str] = []
    rating = None
    for category in _listed(item.get("category")):
        label = (
            _attr(category, "label") or _attr(category, "term") or _text(category) or ""
        ).strip()
        scheme = _scheme_name(_attr(category, "scheme"))
        if label and scheme == "genres" and label not in genres:
            genres.append(label)
        elif label and scheme in _RATINGS and rating is None:
            rating = {"system": _RATINGS[scheme], "value": label.upper()}
    art: dict[str, str] = {}
    for box in _listed(item.get("box_art")):
        for size in ("small", "medium", "large"):
            if _attr(box, size):
                art[size] = box["@" + size]
    for rel, link in links:
        if "/box_art/" in rel and link.get("@href"):
            art[rel.rstrip("/").rsplit("/", 1)[-1]] = link["@href"]
    web = next((link.get("@href") for rel, link in links if rel == "alternate"), None)
    synopsis = _text(item["synopsis"]) if "synopsis" in item else None
    return {
        "id": short_id,
        "ref": f"{ref_base.rstrip('/')}/catalog/titles/{short_id}",
        "kind": kind,
        "title": regular or short,
        "short_title": short,
        "release_year": _number(item.get("release_year"), int),
        "runtime_s": _number(item.get("runtime"), int),
        "average_rating": _number(item.get("average_rating"), float),
        "predicted_rating": _number(item.get("predicted_rating"), float),
        "box_art": art,
        "genres": genres,
        "maturity_rating": rating,
        "formats": None,
        "web_page": web,
        "season_number": _number(item.get("season_number"), int),
        "series": _parent(links, "catalog/titles.series", short_id, ref_base),
        "season": _parent(links, "catalog/titles.season", short_id, ref_base),
        "synopsis_html": synopsis,
        "synopsis_text": None if synopsis is None else _plain(synopsis),
        **dict.fromkeys(_PARTS),
    }


def _parent(
    links: list[tuple[str, dict[str, Any]]], suffix: str, own: str, ref_base: str
) -> dict[str, Any] | None:
    for rel, link in links:
        if rel == suffix or rel.endswith("/" + suffix):
            found = _title_ref(link.get("@href"))
            if found is None or found[0] == own:
                return None
            ref = f"{ref_base.rstrip('/')}/catalog/titles/{found[0]}"
            return {"id": found[0], "ref": ref, "title": link.get("@title")}
    return None


def _plain(markup: str) -> str:
    spaced = re.sub(r"<\s*(?:br|p)\b[^>]*>", " ", markup, flags=re.IGNORECASE)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]*>", "", spaced))).strip()


def search_page(body: bytes, *, ref_base: str, page_size: int = 25) -> bytes:
    """A title search answer as the proxy's JSON bytes, from xmltodict's dicts."""
    root = xmltodict.parse(body)["catalog_titles"]
    items = [_title(item, ref_base) for item in _listed(root.get("catalog_title"))]
    total = _number(root.get("number_of_results"), int)
    start = _number(root.get("start_index"), int) or 0
    total = len(items) if total is None else total
    following = start + len(items)
    return orjson.dumps(
        {
            "items": items,
            "total": max(total, 0),
            "start_index": max(start, 0),
            "page_size": page_size,
            "next": following if items and following < total else None,
        }
    )
