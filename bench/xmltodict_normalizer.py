"""What a search normalizer built on xmltodict costs: the comparison for the lxml one.

xmltodict turns the XML into nested dicts (`@name` attributes, `#text` text, a list for a
repeated child). `DictDoc` presents those dicts as the proxy's `Doc`, so the same normalizer
code (`service.netflix.normalize.titles`) produces the same `TitlePage`: the difference measured
is the parse and the tree it yields, not two hand-written normalizers.
"""

from __future__ import annotations

from typing import Any

import xmltodict

from service.netflix.document import Doc
from service.netflix.normalize.titles import title_page
from service.schemas.titles import TitlePage


class DictDoc(Doc):
    """A view over one element as xmltodict returns it (a dict, a string, or None)."""

    __slots__ = ("_value", "tag")

    def __init__(self, tag: str, value: Any) -> None:
        self.tag = tag
        self._value = value

    def attr(self, name: str) -> str | None:
        if isinstance(self._value, dict):
            value = self._value.get("@" + name)
            return None if value is None else str(value)
        return None

    def text(self) -> str:
        if isinstance(self._value, dict):
            return str(self._value.get("#text") or "")
        return "" if self._value is None else str(self._value)

    def children(self, tag: str | None = None) -> list[Doc]:
        if not isinstance(self._value, dict):
            return []
        keys = [tag] if tag is not None else [k for k in self._value if k[0] not in "@#"]
        found: list[Doc] = []
        for key in keys:
            if key not in self._value:
                continue
            value = self._value[key]
            for item in value if isinstance(value, list) else [value]:
                found.append(DictDoc(key, item))
        return found


def parse_with_xmltodict(body: bytes) -> Doc:
    """The document's root element, parsed by xmltodict (entities refused, its default)."""
    parsed: dict[str, Any] = xmltodict.parse(body)
    (tag, value), *_ = parsed.items()
    return DictDoc(tag, value)


def search_page(body: bytes, *, ref_base: str) -> TitlePage:
    """A title search answer, normalized from xmltodict's dicts."""
    return title_page(parse_with_xmltodict(body), ref_base=ref_base, page_size=25)
