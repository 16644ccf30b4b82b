"""What wraps every emulator resource: Netflix's error shape, `method=`, `v=` and faults.

`install_middleware` registers the exception handlers (NetflixError and unknown paths become
status documents) and two pure-ASGI layers (absolute-form targets, then the rest), so
streamed responses keep streaming.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from emulator.context import EmulatorContext
from emulator.faults import (
    Fault,
    FaultInjector,
    applies_then_drops,
    apply_then_drop,
    malformed,
    truncated,
)
from emulator.http import NetflixError, error_response, timestamp_refused
from emulator.oauth.transport import SIGNED_METHOD_KEY
from emulator.targets import AbsoluteTargetMiddleware

OVERRIDABLE = frozenset({"GET", "POST"})
OVERRIDES = frozenset({"GET", "POST", "PUT", "DELETE"})
VERSIONS = frozenset({"1", "1.0", "1.5"})
# Pages for people, not API clients: never faulted.
_FAULT_FREE = ("/oauth/login", "/oauth/authenticate")


def install_middleware(app: Starlette, ctx: EmulatorContext) -> None:
    """Add the error handlers and the request layer to a freshly built emulator app."""
    app.add_exception_handler(NetflixError, _netflix_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _server_error)
    # Built here, not lazily with the middleware stack, so bad fault settings fail at once.
    app.add_middleware(NetflixMiddleware, faults=FaultInjector(ctx.config.faults))
    # Added last, so it runs first: everything after it sees an origin-form path.
    app.add_middleware(AbsoluteTargetMiddleware)


def _netflix_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, NetflixError)
    return error_response(request, exc)


def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = "Resource not found" if exc.status_code == 404 else exc.detail
    return error_response(request, NetflixError(exc.status_code, message, headers=exc.headers))


def _server_error(request: Request, exc: Exception) -> Response:
    return error_response(request, NetflixError(500, "Internal Server Error"))


class NetflixMiddleware:
    """Method override, version check and fault injection, as a plain ASGI wrapper."""

    def __init__(self, app: ASGIApp, faults: FaultInjector) -> None:
        self.app = app
        self.faults = faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        try:
            scope = _override_method(scope, query)
            _check_version(query)
        except NetflixError as error:
            await error_response(Request(scope), error)(scope, receive, send)
            return
        if self.faults.enabled and not str(scope["path"]).startswith(_FAULT_FREE):
            await self._with_faults(scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def _with_faults(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.faults.latency_s:
            await asyncio.sleep(self.faults.latency_s)
        fault = self.faults.draw()
        if fault is Fault.DROP:
            await _drop_connection(receive, send)
        elif fault in (Fault.GATEWAY, Fault.ERROR):
            error = (
                timestamp_refused()
                if fault is Fault.GATEWAY
                else NetflixError(500, "Internal Server Error")
            )
            await error_response(Request(scope), error)(scope, receive, send)
        elif fault is Fault.MALFORMED:
            await _rewrite_body(self.app, scope, receive, send, malformed)
        elif fault is Fault.TRUNCATED:
            await _rewrite_body(self.app, scope, receive, send, truncated)
        elif applies_then_drops(fault, scope):
            await apply_then_drop(self.app, scope, receive, send, _drop_connection)
        else:
            await self.app(scope, receive, send)


def _override_method(scope: Scope, query: list[tuple[str, str]]) -> Scope:
    """Route a GET/POST carrying `method=VERB` as VERB; signatures keep the real method."""
    requested = next((v for k, v in query if k == "method"), None)
    if requested is None or scope["method"] not in OVERRIDABLE:
        return scope
    verb = requested.upper()
    if verb not in OVERRIDES:
        raise NetflixError(400, "method is invalid")
    return {**scope, "method": verb, SIGNED_METHOD_KEY: scope["method"]}


def _check_version(query: list[tuple[str, str]]) -> None:
    """`v=1.0` and `v=1.5` are served alike; other versions are not emulated."""
    version = next((v for k, v in query if k == "v"), None)
    if version is not None and version not in VERSIONS:
        raise NetflixError(400, "v is invalid")


async def _drop_connection(receive: Receive, send: Send) -> None:
    """Close the socket without answering (under uvicorn), else break off mid-response."""
    transport = getattr(getattr(receive, "__self__", None), "transport", None)
    if isinstance(transport, asyncio.BaseTransport):
        transport.close()
        # Let the server notice the disconnect so it does not write its own 500.
        for _ in range(3):
            await asyncio.sleep(0)
        return
    await send(
        {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"1024")]}
    )


async def _rewrite_body(
    app: ASGIApp, scope: Scope, receive: Receive, send: Send, rewrite: Callable[[bytes], bytes]
) -> None:
    """Buffer the real response, damage its body, and send it with a matching length."""
    start: Message = {}
    chunks: list[bytes] = []

    async def capture(message: Message) -> None:
        nonlocal start
        if message["type"] == "http.response.start":
            start = message
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, capture)
    if not start:
        return
    body = rewrite(b"".join(chunks))
    headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
    headers.append((b"content-length", str(len(body)).encode()))
    await send({**start, "headers": headers})
    await send({"type": "http.response.body", "body": body})
