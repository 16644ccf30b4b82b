"""Helpers for the OAuth, limits and fault tests: a hand-driven clock, probes, explicit signing."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
from lxml import etree
from oauthlib.oauth1 import SIGNATURE_TYPE_AUTH_HEADER, Client
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from emulator import EmulatorConfig, create_emulator
from emulator.config import DEMO_CONSUMER_KEY, DEMO_CONSUMER_SECRET
from emulator.http import respond, status_document
from emulator.oauth.provider import Level
from tests.support.clock import ManualClock

SMALL_CATALOG = 300
FORM = "application/x-www-form-urlencoded"


def emulator(clock: ManualClock | None = None, **overrides: Any) -> Starlette:
    """A small emulator plus probe routes: one per security level, a user check, XML, a stream."""
    settings: dict[str, Any] = {"catalog_size": SMALL_CATALOG, "rate_limits": False}
    settings.update(overrides)
    config = EmulatorConfig(**settings)
    app = create_emulator(config, clock=clock or time.time)
    provider = app.state.context.oauth

    async def probe(request: Request) -> Response:
        level = Level[request.path_params["level"].upper()]
        principal = await provider.authenticate(request, level)
        return JSONResponse(
            {
                "consumer_key": principal.consumer_key,
                "token": principal.token,
                "user_id": principal.user_id,
                "method": request.method,
            }
        )

    async def probe_user(request: Request) -> Response:
        principal = await provider.authenticate(request, Level.PROTECTED)
        return JSONResponse(
            {"user_id": provider.require_user(principal, request.path_params["user_id"])}
        )

    async def probe_xml(request: Request) -> Response:
        return respond(request, status_document(200, "Probe answered"))

    async def probe_stream(request: Request) -> Response:
        gate = request.app.state.stream_gate

        async def chunks() -> AsyncIterator[bytes]:
            yield b"<first/>"
            await gate.wait()  # released only once the first chunk reached the client
            yield b"<second/>"

        return StreamingResponse(chunks(), media_type="application/xml")

    app.state.stream_gate = asyncio.Event()
    methods = ["GET", "POST", "PUT", "DELETE"]
    app.router.routes.append(Route("/probe/xml", probe_xml))
    app.router.routes.append(Route("/probe/stream", probe_stream))
    app.router.routes.append(Route("/probe/users/{user_id}", probe_user, methods=methods))
    app.router.routes.append(Route("/probe/{level}", probe, methods=methods))
    return app


def status_of(response: httpx.Response) -> tuple[int, str]:
    """(status_code, message) of a Netflix status document, checking the HTTP code mirrors it."""
    document = etree.fromstring(response.content)
    assert document.tag == "status"
    assert int(document.findtext("status_code", "")) == response.status_code
    return response.status_code, document.findtext("message", "")


def gateway_refusal(response: httpx.Response) -> tuple[int, str, str, str]:
    """(status, content type, body, Mashery error code) of a refusal by the API's gateway."""
    return (
        response.status_code,
        response.headers["content-type"],
        response.text,
        response.headers.get("x-mashery-error-code", ""),
    )


STALE_TIMESTAMP = (401, "text/plain", "Timestamp Is Invalid", "ERR_401_TIMESTAMP_IS_INVALID")


def sign(
    method: str,
    url: str,
    *,
    token: str | None = None,
    secret: str | None = None,
    verifier: str | None = None,
    callback: str | None = None,
    body: str | None = None,
    signature_type: str = SIGNATURE_TYPE_AUTH_HEADER,
    timestamp: str | None = None,
    nonce: str | None = None,
    consumer_key: str = DEMO_CONSUMER_KEY,
    consumer_secret: str = DEMO_CONSUMER_SECRET,
) -> httpx.Request:
    """A request signed by oauthlib, with every OAuth parameter under the test's control."""
    client = Client(
        consumer_key,
        client_secret=consumer_secret,
        resource_owner_key=token,
        resource_owner_secret=secret,
        verifier=verifier,
        callback_uri=callback,
        signature_type=signature_type,
        timestamp=timestamp,
        nonce=nonce,
    )
    headers = {"Content-Type": FORM} if body is not None else {}
    signed_url, signed_headers, signed_body = client.sign(
        url, http_method=method, body=body, headers=headers
    )
    return httpx.Request(method, signed_url, headers=signed_headers, content=signed_body)
