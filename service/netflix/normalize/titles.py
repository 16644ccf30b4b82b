"""Catalog titles: any `catalog_title`-like element (also queue items, recommendations,
similars and rental items), with its expanded links read in place; pages; autocomplete."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from service.netflix.document import Doc
from service.netflix.normalize.common import (
    Links,
    categories,
    expect_root,
    format_labels,
    html_to_text,
    labels,
    maturity,
    to_float,
    to_int,
    to_page,
)
from service.netflix.normalize.members import expansion, members, title_names, title_ref_of
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
from service.netflix.refs import TitleRef
from service.schemas.people import PersonRef
from service.schemas.titles import (
    Availability,
    Suggestions,
    Title,
    TitleFormat,
    TitleLink,
    TitlePage,
    TitlePart,
)

T = TypeVar("T")
# The `Title` field each list part fills (the synopsis fills two strings).
PART_FIELDS: dict[TitlePart, str] = {
    TitlePart.CAST: "cast_members",
    TitlePart.DIRECTORS: "directors",
    TitlePart.FORMATS: "availability",
    TitlePart.SCREEN_FORMATS: "screen_formats",
    TitlePart.LANGUAGES: "languages",
    TitlePart.AWARDS: "awards",
    TitlePart.SEASONS: "seasons",
    TitlePart.EPISODES: "episodes",
    TitlePart.DISCS: "discs",
    TitlePart.SIMILARS: "similars",
}
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


def _box_art(doc: Doc, links: Links) -> dict[str, str]:
    art: dict[str, str] = {}
    for node in doc.children("box_art"):
        for size in ("small", "medium", "large"):
            url = node.attr(size)
            if url:
                art[size] = url
        for link in node.children("link"):
            href, rel = link.attr("href"), link.attr("rel") or ""
            if href:
                art[rel.rstrip("/").rsplit("/", 1)[-1] or "default"] = href
    for rel, link in links:
        href = link.attr("href") if "/box_art/" in rel else None
        if href:
            art[rel.rstrip("/").rsplit("/", 1)[-1]] = href
    return art


def title_links(nodes: list[Doc] | None, *, ref_base: str) -> list[TitleLink] | None:
    """Titles listed in an expanded link, as links (similars)."""
    listed = members(nodes)
    if listed is None:
        return None
    return [TitleLink(id=m.ref.short, ref=m.ref.url(ref_base), title=m.name) for m in listed]


def _synopsis(doc: Doc, links: Links) -> str | None:
    direct = doc.child("synopsis")
    if direct is not None:
        return direct.text().strip()
    inner = expansion(links.first(PART_RELS[TitlePart.SYNOPSIS]))
    if inner is None:
        return None
    return " ".join(n.text().strip() for n in inner if n.tag == "synopsis").strip()


def _people(links: Links, rel: str, *, ref_base: str) -> list[PersonRef] | None:
    inner = expansion(links.first(rel))
    if inner is None:
        return None
    found: list[PersonRef] = []
    for node in inner:
        found.extend(
            person_refs(node, ref_base=ref_base)
            if node.tag == "people"
            else person_refs(_Wrapper(node), ref_base=ref_base)
        )
    return found


class _Wrapper(Doc):
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


def _part(links: Links, rel: str, tag: str, read: Callable[[Doc], list[T]]) -> list[T] | None:
    """Read one expanded part; None when its link was not expanded, [] when it is empty."""
    inner = expansion(links.first(rel))
    if inner is None:
        return None
    found = next((n for n in inner if n.tag == tag), None)
    return read(found) if found is not None else []


def title(doc: Doc, *, ref_base: str) -> Title:
    """Any catalog_title-like element as a `Title`; unexpanded parts stay null."""
    linked = Links(doc)
    ref = title_ref_of(doc, linked)
    regular, short = title_names(doc)
    cats = categories(doc)
    synopsis = _synopsis(doc, linked)
    available = _part(linked, PART_RELS[TitlePart.FORMATS], "delivery_formats", availability)
    web = linked.first("alternate")
    # Formats are a part (`include=formats`): named only when the availability was asked for.
    formats = _with_available(format_labels(cats), available) if available is not None else None
    return Title(
        id=ref.short,
        ref=ref.url(ref_base),
        kind=ref.title_kind,
        title=regular,
        short_title=short,
        release_year=to_int(doc.child_text("release_year")),
        runtime_s=to_int(doc.child_text("runtime")),
        average_rating=to_float(doc.child_text("average_rating")),
        predicted_rating=to_float(doc.child_text("predicted_rating")),
        box_art=_box_art(doc, linked),
        genres=labels(cats, "genres"),
        maturity_rating=maturity(cats),
        formats=formats,
        web_page=web.attr("href") if web is not None else None,
        season_number=to_int(doc.child_text("season_number")),
        series=_parent(linked, "catalog/titles.series", ref, ref_base),
        season=_parent(linked, "catalog/titles.season", ref, ref_base),
        synopsis_html=synopsis,
        synopsis_text=html_to_text(synopsis) if synopsis is not None else None,
        cast_members=_people(linked, PART_RELS[TitlePart.CAST], ref_base=ref_base),
        directors=_people(linked, PART_RELS[TitlePart.DIRECTORS], ref_base=ref_base),
        availability=available,
        screen_formats=_part(
            linked, PART_RELS[TitlePart.SCREEN_FORMATS], "screen_formats", screen_formats
        ),
        languages=_part(linked, PART_RELS[TitlePart.LANGUAGES], "languages_and_audio", languages),
        awards=_part(
            linked, PART_RELS[TitlePart.AWARDS], "awards", lambda n: awards(n, ref_base=ref_base)
        ),
        similars=title_links(
            expansion(linked.first(PART_RELS[TitlePart.SIMILARS])), ref_base=ref_base
        ),
        seasons=season_summaries(expansion(linked.first(SEASONS_REL)), ref_base=ref_base),
        episodes=episode_summaries(expansion(linked.first(EPISODES_REL)), ref_base=ref_base),
        discs=disc_summaries(expansion(linked.first(DISCS_REL)), ref_base=ref_base),
    )


def _parent(links: Links, rel: str, own: TitleRef, ref_base: str) -> TitleLink | None:
    """The series or season a title belongs to, from its link (never the title itself)."""
    link = links.first(rel)
    found = TitleRef.from_upstream(link.attr("href") or "") if link is not None else None
    if link is None or found is None or found == own:
        return None
    return TitleLink(id=found.short, ref=found.url(ref_base), title=link.attr("title"))


def _with_available(
    formats: Iterable[TitleFormat], available: Iterable[Availability]
) -> list[TitleFormat]:
    """Delivery formats from categories, then those the title is available in."""
    return list(dict.fromkeys([*formats, *(a.format for a in available if a.format)]))


def fill_parts(title: Title, fields: dict[str, object]) -> Title:
    """`title` with parts read from their sub-resources (`part_fields`), formats included."""
    available = fields.get("availability")
    if isinstance(available, list):
        fields = {**fields, "formats": _with_available(title.formats or (), available)}
    return title.model_copy(update=fields)


def unexpanded_parts(doc: Doc, parts: Iterable[TitlePart]) -> list[TitlePart]:
    """Parts linked from a title but not inlined (a host that ignored some `expand` names)."""
    linked = Links(doc)
    pending = []
    for part in parts:
        if part is TitlePart.SYNOPSIS and doc.child("synopsis") is not None:
            continue
        link = linked.first(PART_RELS[part])
        if link is not None and expansion(link) is None:
            pending.append(part)
    return pending


def part_fields(doc: Doc, part: TitlePart, *, ref_base: str) -> dict[str, object]:
    """A title's own sub-resource answer (`{title}/cast`, `/awards`...) as `Title` fields."""
    if part is TitlePart.SYNOPSIS:
        expect_root(doc, "synopsis")
        markup = doc.text().strip()
        return {"synopsis_html": markup, "synopsis_text": html_to_text(markup)}
    readers: dict[TitlePart, tuple[str, Callable[[Doc], Sequence[object]]]] = {
        TitlePart.CAST: ("people", lambda d: person_refs(d, ref_base=ref_base)),
        TitlePart.DIRECTORS: ("people", lambda d: person_refs(d, ref_base=ref_base)),
        TitlePart.FORMATS: ("delivery_formats", availability),
        TitlePart.SCREEN_FORMATS: ("screen_formats", screen_formats),
        TitlePart.LANGUAGES: ("languages_and_audio", languages),
        TitlePart.AWARDS: ("awards", lambda d: awards(d, ref_base=ref_base)),
        TitlePart.SEASONS: ("catalog_titles", lambda d: _listed(season_summaries, d, ref_base)),
        TitlePart.EPISODES: ("catalog_titles", lambda d: _listed(episode_summaries, d, ref_base)),
        TitlePart.DISCS: ("catalog_titles", lambda d: _listed(disc_summaries, d, ref_base)),
        TitlePart.SIMILARS: (
            "similars",
            lambda d: title_links(d.children("similars_item"), ref_base=ref_base) or [],
        ),
    }
    root, read = readers[part]
    expect_root(doc, root)
    return {PART_FIELDS[part]: read(doc)}


def _listed(
    read: Callable[..., Sequence[object] | None], doc: Doc, ref_base: str
) -> Sequence[object]:
    """The members of a `/seasons`, `/episodes` or `/discs` answer."""
    return read(doc.children("catalog_title"), ref_base=ref_base) or []


def title_document(doc: Doc, *, ref_base: str) -> Title:
    """`/catalog/titles/{kind}/{id}`: a `catalog_title` root."""
    expect_root(doc, "catalog_title")
    return title(doc, ref_base=ref_base)


def title_page(
    doc: Doc,
    *,
    ref_base: str,
    page_size: int,
    root: str = "catalog_titles",
    item: str = "catalog_title",
) -> TitlePage:
    """A page of titles: search (`catalog_titles`), `similars`, `recommendations`."""
    expect_root(doc, root)
    items = [title(node, ref_base=ref_base) for node in doc.children(item)]
    return to_page(TitlePage, doc, items, page_size=page_size)


def similars_page(doc: Doc, *, ref_base: str, page_size: int) -> TitlePage:
    """`{title}/similars`: a `similars` root holding `similars_item`s."""
    return title_page(
        doc, ref_base=ref_base, page_size=page_size, root="similars", item="similars_item"
    )


def recommendations_page(doc: Doc, *, ref_base: str, page_size: int) -> TitlePage:
    """`/users/{id}/recommendations`: titles with a `predicted_rating` each."""
    return title_page(
        doc, ref_base=ref_base, page_size=page_size, root="recommendations", item="recommendation"
    )


def autocomplete(doc: Doc) -> Suggestions:
    """`/catalog/titles/autocomplete`: the short titles, in upstream order."""
    expect_root(doc, "autocomplete")
    found: list[str] = []
    for item in doc.children("autocomplete_item"):
        node = item.child("title")
        if node is None:
            continue
        text = (node.attr("short") or node.attr("regular") or node.text()).strip()
        if text:
            found.append(text)
    return Suggestions(items=found)
