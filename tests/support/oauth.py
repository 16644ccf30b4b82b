"""Signed httpx clients for tests, signing with authlib like any OAuth 1.0a caller would."""

from __future__ import annotations

from collections.abc import Generator

import httpx
from authlib.oauth1 import ClientAuth

from emulator.config import DEMO_CONSUMER_KEY, DEMO_CONSUMER_SECRET

TEST_BASE = "https://netflix.test"


class AuthlibSigner(httpx.Auth):
    """Signs each request with authlib's OAuth 1.0a client (HMAC-SHA1, Authorization header).

    Urlencoded bodies are part of the signature; other bodies (multipart) are sent untouched and
    unsigned, as RFC 5849 prescribes.
    """

    requires_request_body = True

    def __init__(self, client: ClientAuth) -> None:
        self._client = client

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        form = request.headers.get("content-type", "").startswith(
            "application/x-www-form-urlencoded"
        )
        headers = {"Content-Type": request.headers["content-type"]} if form else {}
        _, signed, _ = self._client.prepare(
            request.method, str(request.url), headers, request.content.decode() if form else ""
        )
        request.headers["Authorization"] = signed["Authorization"]
        yield request


def signer(
    token: str | None = None,
    token_secret: str | None = None,
    *,
    consumer_key: str = DEMO_CONSUMER_KEY,
    consumer_secret: str = DEMO_CONSUMER_SECRET,
) -> httpx.Auth:
    """An httpx auth that signs with HMAC-SHA1 (consumer only, or with a token)."""
    return AuthlibSigner(
        ClientAuth(consumer_key, consumer_secret, token=token, token_secret=token_secret)
    )


def asgi_client(
    app: object, auth: httpx.Auth | None = None, base_url: str = TEST_BASE
) -> httpx.AsyncClient:
    """An async client talking to an ASGI app in-process."""
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=transport, base_url=base_url, auth=auth)
