"""Conditional and lightweight reads: a strong `ETag` on every JSON read, 304, and `HEAD`.

Every GET answered 200 with a JSON body carries `ETag`, a strong validator made from the body
alone (`strong_etag`), so two answers with the same bytes share it whichever tier served them.
`If-None-Match` is honoured with RFC 9110's rules: weak comparison, `*`, lists, several header
lines; a match answers 304 without a body, keeping every header but the body's own
(Content-Type, Content-Length), so ETag, Cache-Control, Vary, Age, X-Cache and the RateLimit
headers remain. `HEAD` is answered wherever `GET` is, as that GET without its body
(Content-Length still that of the GET body). Paged JSON answers also get `Link` (`links`).
The sign-in GETs (`NOT_READS`) are not reads and get no ETag.

`ConditionalLayer` does this for everything routed; the front tier (`service.front`) answers
its own hits with the same helpers (`strong_etag`, `not_modified`), the ETag computed when a
body is stored. Streamed answers (the NDJSON index) pass untouched: no ETag, and under HEAD
the stream is dropped and told the client left, which ends it. The upstream's own queue
etags are unrelated and never leave the proxy.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re
from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service import links
from service.openapi_components import extend_openapi

JSON_MEDIA_TYPE = b"application/json"
_ENTITY_TAG = re.compile(rb'(?:W/)?("[\x21\x23-\x7e\x80-\xff]*")')
# Headers that describe the body itself: a 304 has none.
_BODY_HEADERS = frozenset({b"content-type", b"content-length", b"content-encoding"})
# GETs that are not reads: each starts or completes a sign-in, answering one-time secrets.
NOT_READS = frozenset({"/v1/auth/start", "/v1/auth/callback"})


def strong_etag(body: bytes) -> bytes:
    """The strong entity tag of a body: a quoted, unpadded base64url 128-bit BLAKE2b digest."""
    digest = hashlib.blake2b(body, digest_size=16).digest()
    return b'"' + base64.urlsafe_b64encode(digest).rstrip(b"=") + b'"'


def if_none_match(scope: Scope) -> bytes | None:
    """The request's If-None-Match, its header lines joined as one list; None when absent."""
    values = [value for name, value in scope["headers"] if name == b"if-none-match"]
    return b",".join(values) if values else None


def not_modified(condition: bytes | None, etag: bytes) -> bool:
    """True when an If-None-Match value matches `etag` (weak comparison, `*` matches all)."""
    if condition is None:
        return False
    if condition.strip() == b"*":
        return True
    tag = etag[2:] if etag.startswith(b"W/") else etag
    return any(match == tag for match in _ENTITY_TAG.findall(condition))


def not_modified_headers(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The headers of a 304 in place of a 200 carrying `headers`."""
    return [(name, value) for name, value in headers if name not in _BODY_HEADERS]


class ConditionalLayer:
    """Pure ASGI middleware: ETag, 304 and Link on JSON GETs; HEAD answered as a bodiless GET."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope.get("method") if scope["type"] == "http" else None
        if method not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        await _Exchange(self.app, scope, receive, send, head=method == "HEAD").run()


class _Exchange:
    """One GET or HEAD: holds a JSON 200 until its body is complete, then answers it."""

    def __init__(
        self, app: ASGIApp, scope: Scope, receive: Receive, send: Send, *, head: bool
    ) -> None:
        self.app = app
        self.scope = scope
        self.receive = receive
        self.send = send
        self.head = head
        self.start: Message | None = None  # a held JSON 200 start
        self.chunks: list[bytes] = []
        self.finished = asyncio.Event()  # the answer is complete (HEAD: the rest is dropped)
        self.received = False

    async def run(self) -> None:
        if not self.head:
            await self.app(self.scope, self.receive, self.write)
            return
        self.scope["method"] = "GET"  # routed as the GET it mirrors
        try:
            await self.app(self.scope, self.read_head, self.write)
        finally:
            self.scope["method"] = "HEAD"

    async def read_head(self) -> Message:
        """The request (HEAD has no body); then, once answered, a disconnect ends any stream."""
        if not self.received:
            self.received = True
            return await self.receive()
        await self.finished.wait()
        return {"type": "http.disconnect"}

    async def write(self, message: Message) -> None:
        if self.finished.is_set():
            return
        if message["type"] == "http.response.start":
            if self.head:
                self.scope["method"] = "HEAD"  # the outer layers log and count a HEAD
            if (
                message["status"] == 200
                and _is_json(message)
                and self.scope["path"] not in NOT_READS
            ):
                self.start = message
                return
            await self.send(message)
            return
        if message["type"] != "http.response.body":
            await self.send(message)
            return
        if self.start is not None:
            self.chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                await self._answer(self.start, b"".join(self.chunks))
            return
        if self.head:
            await self._end()
            return
        await self.send(message)

    async def _answer(self, start: Message, body: bytes) -> None:
        etag = strong_etag(body)
        headers = [(n, v) for n, v in start.get("headers", []) if n != b"etag"]
        headers.append((b"etag", etag))
        link = links.page_link(self.scope, links.paging_of(body))
        if link is not None:
            headers.append((b"link", link))
        if not_modified(if_none_match(self.scope), etag):
            await self.send({**start, "status": 304, "headers": not_modified_headers(headers)})
            await self._end()
            return
        await self.send({**start, "headers": headers})
        if self.head:
            await self._end()
            return
        await self.send({"type": "http.response.body", "body": body})
        self.finished.set()

    async def _end(self) -> None:
        await self.send({"type": "http.response.body", "body": b""})
        self.finished.set()


def _is_json(start: Message) -> bool:
    for name, value in start.get("headers", []):
        if name == b"content-type":
            return bool(value.split(b";", 1)[0].strip().lower() == JSON_MEDIA_TYPE)
    return False


_ETAG_HEADER = {
    "description": "Strong validator of this body; send it back in `If-None-Match` to get 304 "
    "while the answer is unchanged.",
    "schema": {"type": "string"},
}
_LINK_HEADER = {
    "description": 'Relative links to the `next`, `prev` and `first` pages (`rel="next"`...), '
    "built from this request's own path and query.",
    "schema": {"type": "string"},
}
_NOT_MODIFIED = {
    "description": "Not modified: `If-None-Match` matched the current ETag. No body; ETag, "
    "Cache-Control and the other headers of the 200 are kept.",
    "headers": {"ETag": _ETAG_HEADER},
}


def declare_in_openapi(app: FastAPI) -> None:
    """Declare ETag (and Link on pages) on every JSON GET's 200, and its 304."""

    def add(schema: dict[str, Any]) -> None:
        for path, operations in schema.get("paths", {}).items():
            operation = None if path in NOT_READS else operations.get("get")
            ok = (operation or {}).get("responses", {}).get("200", {})
            content = ok.get("content", {}).get("application/json")
            if operation is None or content is None:
                continue
            headers = {**ok.get("headers", {}), "ETag": _ETAG_HEADER}
            if str(content.get("schema", {}).get("$ref", "")).endswith("Page"):
                headers["Link"] = _LINK_HEADER
            ok["headers"] = headers
            operation["responses"]["304"] = _NOT_MODIFIED

    extend_openapi(app, add)
