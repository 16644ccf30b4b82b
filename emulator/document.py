"""A tiny document model rendered both as Netflix XML and as Netflix's own JSON.

Every resource builds one `Node` tree; `render_xml` and `render_json` turn it into the two
wire formats, so `output=json` can never drift from the XML shape.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import orjson

XML_PROLOG = '<?xml version="1.0" standalone="yes"?>\n'


@dataclass(slots=True)
class Node:
    """One element: ordered attributes, children, and optional text (CDATA when asked)."""

    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Node] = field(default_factory=list)
    text: str | None = None
    cdata: bool = False

    def add(self, child: Node) -> Node:
        """Append a child and return it, for building nested trees."""
        self.children.append(child)
        return child

    def extend(self, children: Iterable[Node]) -> Node:
        """Append children and return self."""
        self.children.extend(children)
        return self


def el(
    tag: str, text: object = None, /, *children: Node, cdata: bool = False, **attrs: object
) -> Node:
    """Build a node; attribute values are stringified, None values dropped."""
    return Node(
        tag,
        {k: str(v) for k, v in attrs.items() if v is not None},
        list(children),
        None if text is None else str(text),
        cdata,
    )


def _xml_parts(node: Node) -> Iterator[str]:
    yield "<" + node.tag
    for name, value in node.attrs.items():
        yield f" {name}={quoteattr(value)}"
    if not node.children and node.text is None:
        yield "/>"
        return
    yield ">"
    if node.text is not None:
        if node.cdata:
            yield "<![CDATA[" + node.text.replace("]]>", "]]]]><![CDATA[>") + "]]>"
        else:
            yield escape(node.text)
    for child in node.children:
        yield from _xml_parts(child)
    yield f"</{node.tag}>"


def xml_fragment(node: Node) -> str:
    """Serialize one element without the prolog (used when streaming collections)."""
    return "".join(_xml_parts(node))


def render_xml(node: Node) -> bytes:
    """Serialize a whole document with Netflix's `standalone="yes"` prolog."""
    return (XML_PROLOG + xml_fragment(node)).encode()


def _json_value(node: Node) -> Any:
    if not node.attrs and not node.children:
        return node.text if node.text is not None else ""
    value: dict[str, Any] = dict(node.attrs)
    grouped: dict[str, list[Any]] = {}
    for child in node.children:
        grouped.setdefault(child.tag, []).append(_json_value(child))
    for tag, items in grouped.items():
        value[tag] = items[0] if len(items) == 1 else items
    if node.text is not None and node.text.strip():
        value["content"] = node.text
    return value


def to_json_tree(node: Node) -> dict[str, Any]:
    """Netflix's JSON convention: root key, attributes as keys, one child as an object."""
    return {node.tag: _json_value(node)}


def render_json(node: Node) -> bytes:
    """Serialize a whole document as Netflix's `output=json` rendering."""
    return orjson.dumps(to_json_tree(node))
