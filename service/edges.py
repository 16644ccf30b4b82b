"""The request edges: pure ASGI layers run before anything reads a request.

* `BodyLimitLayer` refuses bodies over `NFX_MAX_BODY_BYTES` with 413 before they are read
  (a declared `Content-Length` at once, a chunked body as soon as its count passes the limit)
  and cuts off a client that takes longer than `NFX_BODY_TIMEOUT_S` to send its body with 408.
  Nothing is buffered here: the app reads the body as it streams, through a counting `receive`.
* `ClientAddressLayer` believes `X-Forwarded-For` only from `NFX_TRUSTED_PROXIES` and sets the
  ASGI `client` to the rightmost address of the chain that is not a trusted proxy, which is the
  address the sign-in budget is kept for. It sets it in the scope it was given, which the
  layers below share with the request layer outside (`service.request_layer` logs it).
* `NoStoreLayer` marks every `/v1/auth/*` answer `Cache-Control: no-store`, errors included.
"""

from __future__ import annotations

import asyncio
import ipaddress
import time
from collections.abc import Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.errors import PayloadTooLarge, RequestTimeout, ServiceError, problem_response

AUTH_PREFIX = "/v1/auth/"
_NO_STORE = [(b"cache-control", b"no-store"), (b"pragma", b"no-cache")]
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class BodyLimitLayer:
    """413 for bodies over `max_bytes`, 408 for bodies slower than `timeout_s`; no buffering."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, timeout_s: float) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout_s = timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await problem_response(self.too_large())(scope, receive, send)
            return
        if declared == 0 or (declared is None and not _header(scope, b"transfer-encoding")):
            await self.app(scope, receive, send)  # no body to wait for or to count
            return
        await _LimitedBody(self, scope, receive, send).run()

    def too_large(self) -> PayloadTooLarge:
        """The error of a body over the limit."""
        return PayloadTooLarge(f"the request body must not exceed {self.max_bytes} bytes")

    def too_slow(self) -> RequestTimeout:
        """The error of a body that took too long."""
        return RequestTimeout(f"the request body was not received within {self.timeout_s:g} s")


class _LimitedBody:
    """One request: counts body bytes against the limit and the deadline as the app reads."""

    def __init__(self, layer: BodyLimitLayer, scope: Scope, receive: Receive, send: Send) -> None:
        self.layer = layer
        self.scope = scope
        self.receive = receive
        self.send = send
        self.deadline = time.monotonic() + layer.timeout_s
        self.received = 0
        self.body_done = False
        self.started = False  # whoever sent the response start: the app, or this layer
        self.refused = False

    async def run(self) -> None:
        await self.layer.app(self.scope, self.read, self.write)

    async def read(self) -> Message:
        if self.body_done or self.refused:
            return await self.receive()
        try:
            async with asyncio.timeout(max(0.0, self.deadline - time.monotonic())):
                message = await self.receive()
        except TimeoutError:
            return await self.refuse(self.layer.too_slow())
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self.layer.max_bytes:
                return await self.refuse(self.layer.too_large())
            self.body_done = not message.get("more_body", False)
        return message

    async def refuse(self, error: ServiceError) -> Message:
        """Answer the error now (unless the app already answered); the app sees a disconnect."""
        self.refused = True
        if not self.started:
            self.started = True
            await problem_response(error)(self.scope, self.receive, self.send)
        return {"type": "http.disconnect"}

    async def write(self, message: Message) -> None:
        if self.refused:
            return  # this layer answered: whatever the app says after that is dropped
        if message["type"] == "http.response.start":
            self.started = True
        await self.send(message)


def _header(scope: Scope, wanted: bytes) -> bytes | None:
    for name, value in scope["headers"]:
        if name == wanted:
            return bytes(value)
    return None


def _content_length(scope: Scope) -> int | None:
    value = _header(scope, b"content-length")
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return None


class ClientAddressLayer:
    """Replace the ASGI `client` with the forwarded client address when a trusted proxy says so."""

    def __init__(self, app: ASGIApp, *, trusted: Sequence[str]) -> None:
        self.app = app
        self.trusted: tuple[Network, ...] = tuple(
            ipaddress.ip_network(item, strict=False) for item in trusted
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and self.trusted and scope.get("client"):
            host, port = scope["client"]
            forwarded = _forwarded_for(scope)
            if forwarded and self.is_trusted(host):
                scope["client"] = (self.client_of(forwarded), port)
        await self.app(scope, receive, send)

    def is_trusted(self, host: str) -> bool:
        """True when `host` is the address of a configured proxy."""
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        return any(address in network for network in self.trusted)

    def client_of(self, chain: Sequence[str]) -> str:
        """The rightmost address not of a trusted proxy: everything left of it may be forged."""
        for host in reversed(chain):
            if not self.is_trusted(host):
                return host
        return chain[0]


def _forwarded_for(scope: Scope) -> list[str]:
    hops: list[str] = []
    for name, value in scope["headers"]:
        if name == b"x-forwarded-for":
            hops += [hop.strip() for hop in value.decode("latin-1").split(",") if hop.strip()]
    return hops


class NoStoreLayer:
    """`Cache-Control: no-store` on every answer under `/v1/auth/`: they carry sign-in state."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(AUTH_PREFIX):
            await self.app(scope, receive, send)
            return

        async def write(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [
                    (name, value)
                    for name, value in message.get("headers", [])
                    if name.lower() not in (b"cache-control", b"pragma")
                ]
                message = {**message, "headers": kept + _NO_STORE}
            await send(message)

        await self.app(scope, receive, write)
