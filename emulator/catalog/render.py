"""`catalog_title` trees in Netflix order, with `expand` nesting results inside their links.

`catalog_title_children` is the one place a title becomes XML; queue items, recommendations,
ratings and rental history reuse it and wrap the children in their own element.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from emulator.catalog import facets
from emulator.catalog.data import Catalog
from emulator.catalog.facets import SCHEMAS, category, paging
from emulator.catalog.model import DISCS, PROGRAMS, SEASONS, SERIES, Title
from emulator.document import Node, el
from emulator.http import NetflixError

REL_TITLE = f"{SCHEMAS}/catalog/title"
# Expand names accepted (with or without `@`), mapped to the link they fill.
_ALIASES = {
    "formats": "format_availability",
    "synopsis.short": "short_synopsis",
    "programs": "episodes",
    "people.cast": "cast",
    "people.directors": "directors",
}
EXPANDABLE = frozenset(
    {
        "synopsis",
        "short_synopsis",
        "cast",
        "directors",
        "format_availability",
        "screen_formats",
        "languages_and_audio",
        "awards",
        "similars",
        "seasons",
        "episodes",
        "discs",
        "bonus_materials",
        "filmography",
        "title",
        "box_art",
    }
)
_SPLIT_RE = re.compile(r"[\s,]+")
EXPANDED_SIMILARS = 10


def parse_expand(raw: str | None) -> frozenset[str]:
    """`expand` as a set: comma- or space-separated, `@` optional; unknown names are a 400."""
    if not raw:
        return frozenset()
    names = set()
    for part in _SPLIT_RE.split(raw.strip()):
        if not part:
            continue
        name = part.lstrip("@").lower()
        name = _ALIASES.get(name, name)
        if name not in EXPANDABLE:
            raise NetflixError(400, f"expand is invalid: unknown value {part!r}")
        names.add(name)
    return frozenset(names)


def _link(href: str, rel: str, title: str, *expanded: Node) -> Node:
    return el("link", None, *expanded, href=href, rel=rel, title=title)


def child_titles(
    catalog: Catalog,
    titles: Sequence[Title],
    root: str = "catalog_titles",
    *,
    start_index: int = 0,
    max_results: int | None = None,
    item: str = "catalog_title",
    expand: frozenset[str] = frozenset(),
) -> Node:
    """A paged collection of titles (seasons, episodes, discs, bonus materials, filmography)."""
    end = len(titles) if max_results is None else start_index + max_results
    page = titles[start_index:end]
    return el(
        root,
        None,
        *paging(len(titles), start_index, len(page) if max_results is None else max_results),
        *(el(item, None, *catalog_title_children(catalog, t, expand=expand)) for t in page),
    )


def similars(
    catalog: Catalog, title: Title, start_index: int = 0, max_results: int = EXPANDED_SIMILARS
) -> Node:
    """`similars` → paging header → `similars_item`s (catalog_title-like)."""
    return child_titles(
        catalog,
        catalog.similars(title),
        "similars",
        start_index=start_index,
        max_results=max_results,
        item="similars_item",
    )


def _expansion(catalog: Catalog, title: Title, name: str) -> Node:
    builders: dict[str, Callable[[], Node]] = {
        "synopsis": lambda: facets.synopsis(title),
        "short_synopsis": lambda: facets.short_synopsis(title),
        "cast": lambda: facets.people_links(catalog, title.cast),
        "directors": lambda: facets.people_links(catalog, title.directors),
        "format_availability": lambda: facets.delivery_formats(catalog, title),
        "screen_formats": lambda: facets.screen_formats(catalog, title),
        "languages_and_audio": lambda: facets.languages_and_audio(catalog, title),
        "awards": lambda: facets.awards(catalog, title),
        "similars": lambda: similars(catalog, title),
        "seasons": lambda: child_titles(catalog, catalog.children(title.seasons)),
        "episodes": lambda: child_titles(catalog, catalog.children(title.episodes)),
        "discs": lambda: child_titles(catalog, catalog.children(title.discs)),
        "bonus_materials": lambda: child_titles(catalog, catalog.children(title.bonus_materials)),
    }
    return builders[name]()


def title_link(title: Title, rel: str = REL_TITLE) -> Node:
    """A link to a title, titled with its name (queue items and ratings point back with it)."""
    return el("link", href=title.ref, rel=rel, title=title.title)


def catalog_title_children(
    catalog: Catalog,
    title: Title,
    *,
    expand: frozenset[str] = frozenset(),
    include_id: bool = True,
    series_runtime: bool = False,
) -> list[Node]:
    """Children of a `catalog_title` in Netflix order; expanded links carry their content.

    Seasons, episodes and discs carry `season_number`, and their `sequence` (season, episode
    or disc number), children that v1.5 client libraries read. The `directors` link is always
    there, as recorded, even for a title without directors
    (expanded, it then stays empty, as the 2013 recording of a series shows). A series has a
    `runtime` only with `series_runtime` (subscriber lists showed one; catalog answers not).
    """

    def link(name: str, path: str, rel: str, label: str) -> Node:
        empty = name == "directors" and not title.directors
        inner = (_expansion(catalog, title, name),) if name in expand and not empty else ()
        return _link(f"{title.ref}/{path}", rel, label, *inner)

    nodes: list[Node] = []
    if include_id:
        nodes.append(el("id", title.ref))
    nodes.append(el("title", short=title.short_title, regular=title.title))
    art = title.box_art
    nodes.append(el("box_art", small=art["small"], medium=art["medium"], large=art["large"]))
    nodes.append(link("synopsis", "synopsis", f"{SCHEMAS}/catalog/titles/synopsis", "synopsis"))
    if "short_synopsis" in expand:
        nodes.append(
            link(
                "short_synopsis",
                "synopsis.short",
                f"{SCHEMAS}/catalog/titles/synopsis.short",
                "short synopsis",
            )
        )
    if title.bonus_materials:
        nodes.append(
            link(
                "bonus_materials",
                "bonus_materials",
                f"{SCHEMAS}/catalog/titles/bonus_materials",
                "bonus materials",
            )
        )
    nodes.append(el("release_year", title.release_year))
    if title.season_number is not None:
        nodes.append(el("season_number", title.season_number))
    if title.sequence is not None:
        nodes.append(el("sequence", title.sequence))
    nodes.append(category(catalog, title.rating_scheme, title.rating))
    nodes.extend(category(catalog, "genres", genre) for genre in title.genres)
    if title.runtime_s is not None and (title.kind != SERIES or series_runtime):
        nodes.append(el("runtime", title.runtime_s))
    if title.awards:
        nodes.append(link("awards", "awards", f"{SCHEMAS}/catalog/titles/awards", "awards"))
    nodes.append(
        link(
            "format_availability",
            "format_availability",
            f"{SCHEMAS}/catalog/titles/format_availability",
            "formats",
        )
    )
    nodes.append(
        link(
            "screen_formats",
            "screen_formats",
            f"{SCHEMAS}/catalog/titles/screen_formats",
            "screen formats",
        )
    )
    if title.cast:
        nodes.append(link("cast", "cast", f"{SCHEMAS}/catalog/people.cast", "cast"))
    nodes.append(link("directors", "directors", f"{SCHEMAS}/catalog/people.directors", "directors"))
    nodes.append(
        link(
            "languages_and_audio",
            "languages_and_audio",
            f"{SCHEMAS}/catalog/titles/languages_and_audio",
            "languages and audio",
        )
    )
    nodes.extend(_family_links(catalog, title, link))
    nodes.append(el("average_rating", f"{title.average_rating:.1f}"))
    if title.kind not in (PROGRAMS, DISCS):
        nodes.append(link("similars", "similars", f"{SCHEMAS}/catalog/titles.similars", "similars"))
    if title.official_url:
        nodes.append(
            _link(title.official_url, f"{SCHEMAS}/catalog/titles/official_url", "official webpage")
        )
    nodes.append(_link(title.web_url, "alternate", "web page"))
    return nodes


def _family_links(
    catalog: Catalog, title: Title, link: Callable[[str, str, str, str], Node]
) -> list[Node]:
    """Links between a series, its seasons, episodes and discs."""
    nodes: list[Node] = []
    series = catalog.get(SERIES, title.series_id) if title.series_id is not None else None
    if series is not None:
        nodes.append(title_link(series, f"{SCHEMAS}/catalog/titles.series"))
    if title.kind in (PROGRAMS, DISCS) and title.parent_id is not None:
        season = catalog.get(SEASONS, title.parent_id)
        if season is not None:
            nodes.append(title_link(season, f"{SCHEMAS}/catalog/titles.season"))
    if title.seasons:
        nodes.append(link("seasons", "seasons", f"{SCHEMAS}/catalog/titles.seasons", "seasons"))
    if title.episodes and title.kind != SERIES:  # a series lists its episodes per season
        nodes.append(link("episodes", "episodes", f"{SCHEMAS}/catalog/titles.programs", "episodes"))
    if title.discs:
        nodes.append(link("discs", "discs", f"{SCHEMAS}/catalog/titles.discs", "discs"))
    return nodes


def catalog_title(catalog: Catalog, title: Title, *, expand: frozenset[str] = frozenset()) -> Node:
    """A whole `catalog_title` element."""
    return el("catalog_title", None, *catalog_title_children(catalog, title, expand=expand))
