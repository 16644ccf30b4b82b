"""A series' seasons and a season's episodes and discs, as listed under their parent.

They come from expanded links (`titles.seasons`, `titles.programs`, `titles.discs`) or from
the parent's own sub-resources (`/seasons`, `/episodes`, `/discs`: a paged `catalog_titles`).
Each member's numbers are its `season_number` and `sequence` children; a member named only
by a `link` has its id and name and null numbers.
"""

from __future__ import annotations

from service.netflix.document import Doc
from service.netflix.normalize.common import Links, expect_root, page_info, to_int, to_page
from service.netflix.normalize.members import Member, expansion, members
from service.schemas.titles import DiscSummary, EpisodeSummary, SeasonPage, SeasonSummary

EPISODES_REL = "catalog/titles.programs"
DISCS_REL = "catalog/titles.discs"
SEASONS_REL = "catalog/titles.seasons"


def _number(member: Member, tag: str) -> int | None:
    return to_int(member.node.child_text(tag)) if member.node is not None else None


def _episode_count(member: Member) -> int | None:
    """The size of a season's expanded episode list (its paging header's total when sent)."""
    if member.node is None:
        return None
    inner = expansion(Links(member.node).first(EPISODES_REL))
    if inner is None:
        return None
    listed = members(inner) or []
    wrapper = next((n for n in inner if n.tag == "catalog_titles"), None)
    return page_info(wrapper, len(listed)).total if wrapper is not None else len(listed)


def season_summaries(nodes: list[Doc] | None, *, ref_base: str) -> list[SeasonSummary] | None:
    """Seasons listed in an expanded link or a `/seasons` answer; None when not expanded."""
    listed = members(nodes)
    if listed is None:
        return None
    return [
        SeasonSummary(
            id=m.ref.short,
            ref=m.ref.url(ref_base),
            title=m.name,
            season_number=_number(m, "season_number") or _number(m, "sequence"),
            release_year=_number(m, "release_year"),
            episode_count=_episode_count(m),
        )
        for m in listed
    ]


def episode_summaries(nodes: list[Doc] | None, *, ref_base: str) -> list[EpisodeSummary] | None:
    """Episodes listed in an expanded link or an `/episodes` answer; None when not expanded."""
    listed = members(nodes)
    if listed is None:
        return None
    return [
        EpisodeSummary(
            id=m.ref.short,
            ref=m.ref.url(ref_base),
            title=m.name,
            episode_number=_number(m, "sequence"),
            season_number=_number(m, "season_number"),
            runtime_s=_number(m, "runtime"),
        )
        for m in listed
    ]


def disc_summaries(nodes: list[Doc] | None, *, ref_base: str) -> list[DiscSummary] | None:
    """Discs listed in an expanded link or a `/discs` answer; None when not expanded."""
    listed = members(nodes)
    if listed is None:
        return None
    return [
        DiscSummary(
            id=m.ref.short,
            ref=m.ref.url(ref_base),
            title=m.name,
            disc_number=_number(m, "sequence"),
            season_number=_number(m, "season_number"),
        )
        for m in listed
    ]


def seasons_page(doc: Doc, *, ref_base: str, page_size: int) -> SeasonPage:
    """`{series}/seasons`: a paged `catalog_titles` of seasons."""
    expect_root(doc, "catalog_titles")
    items = season_summaries(doc.children("catalog_title"), ref_base=ref_base) or []
    return to_page(SeasonPage, doc, items, page_size=page_size)
