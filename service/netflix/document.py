"""One read-only view over an upstream document, whether it came as XML or as Netflix JSON.

Netflix's `output=json` mirrors the XML: attributes and child elements both become keys, a
single child is an object (several are an array), scalars are usually strings, and text next to
attributes sits under `content`. `Doc` hides those differences so each normalizer is written
once: `attr` and `child_text` both read a key in JSON, `children` always returns a list.

The hot readers (catalog titles, the index) walk a `Node` instead: lxml's element itself for
XML answers, so a title costs no view object per child; `DocNode` adapts any other `Doc`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import Any, Protocol

from lxml import etree


class Node(Protocol):
    """The part of lxml's element API the hot readers use; `DocNode` gives it to any `Doc`."""

    @property
    def tag(self) -> Any:
        """The element name (lxml gives comments and PIs a non-string tag)."""

    @property
    def text(self) -> str | None:
        """The element's own text."""

    def get(self, key: str) -> str | None:
        """An attribute value, or None."""

    def __iter__(self) -> Iterator[Any]:
        """Direct children (`Node`s), in document order."""

    def __len__(self) -> int:
        """How many direct children."""


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

    def node(self) -> Node:
        """This element for the hot readers."""
        return DocNode(self)

    def descendants(self, tag: str) -> Iterator[Doc]:
        """Every element below this one with `tag`, depth first."""
        for child in self.children():
            if child.tag == tag:
                yield child
            yield from child.descendants(tag)


class DocNode:
    """Any `Doc` seen as a `Node` (Netflix JSON answers and other non-lxml views)."""

    __slots__ = ("doc",)

    def __init__(self, doc: Doc) -> None:
        self.doc = doc

    @property
    def tag(self) -> str:
        return self.doc.tag

    @property
    def text(self) -> str | None:
        return self.doc.text()

    def get(self, key: str) -> str | None:
        return self.doc.attr(key)

    def __iter__(self) -> Iterator[DocNode]:
        return (DocNode(child) for child in self.doc.children())

    def __len__(self) -> int:
        return len(self.doc.children())


def doc_of(node: Node) -> Doc:
    """The `Doc` of a node, for the readers written over `Doc` (expanded parts)."""
    if isinstance(node, DocNode):
        return node.doc
    return XmlDoc(node)  # type: ignore[arg-type]  # every other Node is an lxml element


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

    def node(self) -> etree._Element:
        return self._element

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
