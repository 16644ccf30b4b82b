"""Hardened XML parsing for upstream answers.

The parser never resolves entities, never touches the network, keeps lxml's default limits
(`huge_tree=False`), and refuses any document carrying a DTD, so billion-laughs and external
entity documents fail instead of expanding. Body size is capped by the caller before parsing.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

from lxml import etree

from service.errors import BadUpstream
from service.netflix.document import XmlDoc


class UnsafeXml(BadUpstream):
    """The upstream sent a DTD or entity declarations; the document was not parsed."""


def _new_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,  # nothing looks elements up by xml:id
    )


class _Parsers(threading.local):
    """One parser per thread: threads sharing one would wait on its lock, and a reused one
    keeps its parsing context (a new parser costs a few percent of parsing a search answer)."""

    def __init__(self) -> None:
        self.parser = _new_parser()


_PARSERS = _Parsers()


def _refuse_doctype(head: bytes) -> None:
    upper = head.upper()
    if b"<!DOCTYPE" in upper or b"<!ENTITY" in upper:
        raise UnsafeXml("the upstream document declares a DTD; refused")


def parse_xml(body: bytes, *, max_bytes: int) -> XmlDoc:
    """Parse a whole document; `BadUpstream` when it is too large, unsafe or malformed."""
    if len(body) > max_bytes:
        raise BadUpstream(f"the upstream document exceeds {max_bytes} bytes")
    _refuse_doctype(_prolog(body))
    try:
        root = etree.fromstring(body, _PARSERS.parser)
    except etree.XMLSyntaxError as exc:
        raise BadUpstream("the upstream sent malformed XML") from exc
    if getattr(root.getroottree().docinfo, "doctype", ""):
        raise UnsafeXml("the upstream document declares a DTD; refused")
    return XmlDoc(root)


def _prolog(body: bytes) -> bytes:
    """Everything before the root element (where a DOCTYPE would have to be)."""
    index = 0
    while True:
        start = body.find(b"<", index)
        if start < 0 or start + 1 >= len(body):
            return body
        following = body[start + 1 : start + 2]
        if following not in (b"?", b"!"):
            return body[:start]
        if body.startswith(b"<!--", start):
            end = body.find(b"-->", start)
            index = len(body) if end < 0 else end + 3
        else:
            end = body.find(b">", start)
            index = len(body) if end < 0 else end + 1
            if following == b"!":
                # A DOCTYPE with an internal subset contains '>' itself: stop and refuse.
                return body[:index]


class StreamParser:
    """Incremental parsing of a large document (the catalog index): feed bytes, get items.

    Completed `item_tag` elements are yielded and then freed with their preceding siblings,
    so memory stays bounded by one item whatever the document size.
    """

    def __init__(self, item_tag: str, *, max_prolog_bytes: int = 65_536) -> None:
        self._item_tag = item_tag
        self._parser = etree.XMLPullParser(
            events=("end",),
            tag=item_tag,
            resolve_entities=False,
            no_network=True,
            huge_tree=False,
            load_dtd=False,
            remove_comments=True,
            remove_pis=True,
        )
        self._head = b""
        self._head_checked = False
        self._max_prolog = max_prolog_bytes

    def feed(self, chunk: bytes) -> Iterator[XmlDoc]:
        """Parse one more chunk and yield the items it completed."""
        if not self._head_checked:
            self._head += chunk
            prolog = _prolog(self._head)
            if len(prolog) == len(self._head) and len(self._head) < self._max_prolog:
                return  # the root element has not started yet
            _refuse_doctype(prolog)
            self._head_checked = True
            chunk, self._head = self._head, b""
        try:
            self._parser.feed(chunk)
            yield from self._drain()
        except etree.XMLSyntaxError as exc:
            raise BadUpstream("the upstream sent malformed XML") from exc

    def close(self) -> Iterator[XmlDoc]:
        """Finish the document; `BadUpstream` when it was truncated."""
        try:
            if self._head:
                _refuse_doctype(_prolog(self._head))
                self._parser.feed(self._head)
                self._head = b""
            yield from self._drain()
            self._parser.close()
        except etree.XMLSyntaxError as exc:
            raise BadUpstream("the upstream sent malformed or truncated XML") from exc

    def _drain(self) -> Iterator[XmlDoc]:
        for _event, element in self._parser.read_events():
            if not isinstance(element, etree._Element):
                continue
            yield XmlDoc(element)
            element.clear()
            parent = element.getparent()
            while parent is not None and element.getprevious() is not None:
                del parent[0]
