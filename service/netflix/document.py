"""One read-only view over an upstream document, whether it came as XML or as Netflix JSON.

Netflix's `output=json` mirrors the XML: attributes and child elements both become keys, a
single child is an object (several are an array), scalars are usually strings, and text next to
attributes sits under `content`. `Doc` hides those differences so each normalizer is written
once: `attr` and `child_text` both read a key in JSON, `children` always returns a list.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import Any

from lxml import etree


class Doc(ABC):
    """An element of an upstream document."""

    tag: str

    @abstractmethod
    def attr(self, name: str) -> str | None:
        """An attribute value, or None."""

    @abstractmethod
    def text(self) -> str:
        """The element's own text (CDATA included); empty when there is none."""

    @abstractmethod
    def children(self, tag: str | None = None) -> list[Doc]:
        """Direct children, all or those with `tag`, in document order."""

    def child(self, tag: str) -> Doc | None:
        """The first child with `tag`, or None."""
        found = self.children(tag)
        return found[0] if found else None

    def child_text(self, tag: str) -> str | None:
        """The stripped text of the first child with `tag`; None when absent or empty."""
        found = self.child(tag)
        if found is None:
            return None
        value = found.text().strip()
        return value or None

    def descendants(self, tag: str) -> Iterator[Doc]:
        """Every element below this one with `tag`, depth first."""
        for child in self.children():
            if child.tag == tag:
                yield child
            yield from child.descendants(tag)


class XmlDoc(Doc):
    """A view over an lxml element."""

    __slots__ = ("_element", "tag")

    def __init__(self, element: etree._Element) -> None:
        self._element = element
        self.tag = str(element.tag)

    def attr(self, name: str) -> str | None:
        return self._element.get(name)  # already a str: lxml decodes attribute values

    def text(self) -> str:
        return self._element.text or ""

    def children(self, tag: str | None = None) -> list[Doc]:
        # lxml filters by tag in C; `etree.Element` selects elements only (no comments, PIs).
        return [XmlDoc(c) for c in self._element.iterchildren(tag or etree.Element)]

    def child(self, tag: str) -> Doc | None:
        found = next(self._element.iterchildren(tag), None)
        return None if found is None else XmlDoc(found)

    def child_text(self, tag: str) -> str | None:
        # The generic version, without a view object for the child.
        for found in self._element.iterchildren(tag):
            return (found.text or "").strip() or None
        return None


def _scalar(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class JsonDoc(Doc):
    """A view over one Netflix JSON value (an object, or a bare scalar for a text element)."""

    __slots__ = ("_value", "tag")

    def __init__(self, tag: str, value: Any) -> None:
        self.tag = tag
        self._value = value

    def attr(self, name: str) -> str | None:
        if isinstance(self._value, dict):
            return _scalar(self._value.get(name))
        return None

    def text(self) -> str:
        if isinstance(self._value, dict):
            return _scalar(self._value.get("content")) or ""
        return _scalar(self._value) or ""

    def children(self, tag: str | None = None) -> list[Doc]:
        if not isinstance(self._value, dict):
            return []
        keys = [tag] if tag is not None else [k for k in self._value if k != "content"]
        found: list[Doc] = []
        for key in keys:
            value = self._value.get(key)
            items = value if isinstance(value, list) else [value]
            found.extend(JsonDoc(key, item) for item in items if item is not None)
        return found
