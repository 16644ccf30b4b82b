"""What every title-like element shares: its ref, its names, and what its links wrap."""

from __future__ import annotations

from dataclasses import dataclass

from service.errors import BadUpstream
from service.netflix.document import Doc
from service.netflix.normalize.common import Links, first_link
from service.netflix.refs import TitleRef

_LINK_ATTRS = frozenset({"href", "rel", "title"})


def expansion(link: Doc | None) -> list[Doc] | None:
    """What an expanded link wraps; None when the link is absent or was not expanded."""
    if link is None:
        return None
    inner = [c for c in link.children() if c.tag not in _LINK_ATTRS]
    return inner or None


def title_ref_of(doc: Doc, links: Links | None = None) -> TitleRef:
    """The catalog ref of a title-like element: its `id`, else its `catalog/title` link."""
    ref = TitleRef.from_upstream(doc.child_text("id") or "")
    if ref is None:
        links = links or Links(doc)
        link = links.first("catalog/title") or links.first("id")
        ref = TitleRef.from_upstream(link.attr("href") or "") if link is not None else None
    if ref is None:
        raise BadUpstream(f"a {doc.tag} without a catalog title reference")
    return ref


def title_names(doc: Doc) -> tuple[str, str]:
    """The regular and short names of a title-like element (either stands in for the other)."""
    node = doc.child("title")
    if node is None:
        return "", ""
    regular = node.attr("regular") or node.text().strip()
    short = node.attr("short") or regular
    return regular or short, short


@dataclass(frozen=True, slots=True)
class Member:
    """A title listed inside another: its ref and name, and its element when one was sent."""

    ref: TitleRef
    name: str | None
    node: Doc | None


def members(nodes: list[Doc] | None) -> list[Member] | None:
    """Titles listed in an expanded link: `link`s or title-like elements, possibly wrapped
    (in `catalog_titles` with a paging header); None when nothing was expanded."""
    if nodes is None:
        return None
    found: list[Member] = []
    for node in nodes:
        if node.tag == "link":
            ref = TitleRef.from_upstream(node.attr("href") or "")
            if ref is not None:
                found.append(Member(ref, node.attr("title"), None))
            continue
        if node.child("id") is None and first_link(node, "catalog/title") is None:
            found.extend(members(node.children()) or [])
            continue
        try:
            ref = title_ref_of(node)
        except BadUpstream:
            continue
        regular, _short = title_names(node)
        found.append(Member(ref, regular or None, node))
    return found
