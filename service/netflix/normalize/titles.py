"""Catalog titles: any `catalog_title`-like element (also queue items, recommendations,
similars and rental items), with its expanded links read in place; pages; autocomplete."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from service.netflix.document import Doc
from service.netflix.normalize.common import Links, expect_root, html_to_text, page_fields
from service.netflix.normalize.members import expansion
from service.netflix.normalize.parts import availability, awards, languages, screen_formats
from service.netflix.normalize.people import person_refs
from service.netflix.normalize.seasons import (
    disc_summaries,
    episode_summaries,
    season_summaries,
)
from service.netflix.normalize.title_fields import PART_RELS, Fields, title_fields, title_links
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
        TitlePart.FORMATS: (
            "delivery_formats",
            lambda d: [Availability.model_validate(a) for a in availability(d.node())],
        ),
        TitlePart.SCREEN_FORMATS: ("screen_formats", screen_formats),
        TitlePart.LANGUAGES: ("languages_and_audio", languages),
        TitlePart.AWARDS: ("awards", lambda d: awards(d, ref_base=ref_base)),
        TitlePart.SEASONS: ("catalog_titles", lambda d: _listed(season_summaries, d, ref_base)),
        TitlePart.EPISODES: ("catalog_titles", lambda d: _listed(episode_summaries, d, ref_base)),
        TitlePart.DISCS: ("catalog_titles", lambda d: _listed(disc_summaries, d, ref_base)),
        TitlePart.SIMILARS: (
            "similars",
            lambda d: [
                TitleLink.model_validate(link)
                for link in title_links(d.children("similars_item"), ref_base=ref_base) or []
            ],
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


def title(doc: Doc, *, ref_base: str) -> Title:
    """Any catalog_title-like element as a `Title`; unexpanded parts stay null."""
    return Title.model_validate(title_fields(doc.node(), ref_base=ref_base))


def title_document(doc: Doc, *, ref_base: str) -> Title:
    """`/catalog/titles/{kind}/{id}`: a `catalog_title` root."""
    expect_root(doc, "catalog_title")
    return title(doc, ref_base=ref_base)


def title_page_fields(
    doc: Doc,
    *,
    ref_base: str,
    page_size: int,
    root: str = "catalog_titles",
    item: str = "catalog_title",
) -> Fields:
    """A page of titles as `TitlePage` fields: search (`catalog_titles`), `similars`,
    `recommendations`."""
    expect_root(doc, root)
    items = [title_fields(node, ref_base=ref_base) for node in doc.node() if node.tag == item]
    return page_fields(doc, items, page_size=page_size)


def title_page(
    doc: Doc,
    *,
    ref_base: str,
    page_size: int,
    root: str = "catalog_titles",
    item: str = "catalog_title",
) -> TitlePage:
    """A page of titles (`title_page_fields`) as a model."""
    fields = title_page_fields(doc, ref_base=ref_base, page_size=page_size, root=root, item=item)
    return TitlePage.model_validate(fields)


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
