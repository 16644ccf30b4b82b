"""The ETag, If-None-Match and Link helpers shared by the routed reads and the front tier."""

from __future__ import annotations

import pytest
from starlette.types import Message, Receive, Scope, Send

from service.conditional import ConditionalLayer, not_modified, not_modified_headers, strong_etag
from service.links import Paging, page_link, paging_of
from service.schemas.common import Page
from service.schemas.people import PersonPage
from service.schemas.queues import QueuePage
from service.schemas.rentals import RentalPage
from service.schemas.titles import TitlePage

ETAG = strong_etag(b'{"a":1}')
JSON = (b"content-type", b"application/json; charset=utf-8")


def test_the_etag_is_strong_quoted_and_of_the_body_alone() -> None:
    assert ETAG.startswith(b'"') and ETAG.endswith(b'"') and not ETAG.startswith(b"W/")
    assert strong_etag(b'{"a":1}') == ETAG
    assert strong_etag(b'{"a":2}') != ETAG


@pytest.mark.parametrize(
    ("condition", "matches"),
    [
        (None, False),
        (ETAG, True),
        (b"W/" + ETAG, True),
        (b"*", True),
        (b' "x" ,W/"y",' + ETAG, True),
        (b'"x", "y"', False),
        (ETAG[:-1], False),  # unterminated
        (b"", False),
        (b"**", False),
    ],
)
def test_if_none_match_uses_the_weak_comparison(condition: bytes | None, matches: bool) -> None:
    assert not_modified(condition, ETAG) is matches


def test_a_weak_stored_tag_matches_its_strong_twin() -> None:
    assert not_modified(ETAG, b"W/" + ETAG)


def test_a_304_drops_the_body_headers_only() -> None:
    headers = [(b"content-type", b"application/json"), (b"content-length", b"7"), (b"etag", ETAG)]
    assert not_modified_headers(headers) == [(b"etag", ETAG)]


def test_paging_is_read_from_page_bodies_only() -> None:
    page = b'{"items":[],"total":9,"start_index":3,"page_size":3,"next":6}'
    assert paging_of(page) == Paging(3, 3, 6)
    assert paging_of(page.replace(b'"next":6', b'"next":null')) == Paging(3, 3, None)
    assert paging_of(b'{"items":["a"]}') is None  # suggestions: no paging
    assert paging_of(b'{"items":') is None  # not JSON
    assert paging_of(b'[{"items":1}]') is None


def _scope(path: str, query: bytes) -> dict[str, object]:
    return {"path": path, "query_string": query}


def test_links_keep_the_request_and_replace_start_index() -> None:
    link = page_link(_scope("/v1/titles", b"term=caf%C3%A9&start_index=4&x="), Paging(4, 2, 6))
    assert link == (
        b'</v1/titles?term=caf%C3%A9&x=&start_index=6>; rel="next", '
        b'</v1/titles?term=caf%C3%A9&x=&start_index=2>; rel="prev", '
        b'</v1/titles?term=caf%C3%A9&x=&start_index=0>; rel="first"'
    )


def test_no_link_for_a_lone_page_or_no_page() -> None:
    assert page_link(_scope("/v1/titles", b"term=a"), Paging(0, 25, None)) is None
    assert page_link(_scope("/v1/titles", b""), None) is None


def test_the_previous_page_steps_back_by_the_last_page_size_asked() -> None:
    scope = _scope("/v1/titles", b"page_size=20&page_size=10&start_index=25")
    link = page_link(scope, Paging(25, 10, 35))
    assert link is not None and b'start_index=15>; rel="prev"' in link
    # A page size that only looks numeric (`²`) is not one: the page's own size is used.
    odd = page_link(_scope("/v1/titles", "page_size=²&start_index=4".encode()), Paging(4, 2, 6))
    assert odd is not None and b'start_index=2>; rel="prev"' in odd


def test_paths_are_escaped_into_the_link() -> None:
    link = page_link(_scope("/v1/a b>", b""), Paging(0, 1, 1))
    assert link == b'</v1/a%20b%3E?start_index=1>; rel="next"'


async def _through_layer(messages: list[Message], method: str = "GET") -> list[Message]:
    """What a client receives when an app sends `messages` through `ConditionalLayer`."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        for message in messages:
            await send(message)

    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "method": method, "path": "/x", "query_string": b"", "headers": []}
    await ConditionalLayer(app)(scope, receive, send)
    return sent


async def test_a_json_body_in_chunks_is_tagged_whole() -> None:
    start = {"type": "http.response.start", "status": 200, "headers": [JSON]}
    sent = await _through_layer(
        [
            start,
            {"type": "http.response.body", "body": b'{"a":', "more_body": True},
            {"type": "http.response.body", "body": b"1}"},
        ]
    )
    assert dict(sent[0]["headers"])[b"etag"] == ETAG
    assert sent[1]["body"] == b'{"a":1}'


async def test_answers_without_a_json_type_pass_untouched() -> None:
    start = {"type": "http.response.start", "status": 200, "headers": []}
    other = {"type": "http.response.trailers", "headers": []}
    body = {"type": "http.response.body", "body": b"{}"}
    assert await _through_layer([start, other, body]) == [start, other, body]


@pytest.mark.parametrize("page", [TitlePage, PersonPage, QueuePage, RentalPage])
def test_every_page_model_is_recognized_for_its_links(page: type[Page[object]]) -> None:
    body = page.model_validate(
        {"items": [], "total": 30, "start_index": 10, "page_size": 10, "next": 20}
    ).model_dump_json()
    assert paging_of(body.encode()) == Paging(10, 10, 20)
