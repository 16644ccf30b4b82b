"""Signed httpx clients for tests, signing with authlib like any OAuth 1.0a caller would."""

from __future__ import annotations

import httpx
from authlib.integrations.httpx_client import OAuth1Auth

from emulator.config import DEMO_CONSUMER_KEY, DEMO_CONSUMER_SECRET

TEST_BASE = "https://netflix.test"


def signer(token: str | None = None, token_secret: str | None = None, *,
           consumer_key: str = DEMO_CONSUMER_KEY,
           consumer_secret: str = DEMO_CONSUMER_SECRET) -> httpx.Auth:
    """An httpx auth that signs with HMAC-SHA1 (consumer only, or with a token)."""
    auth: httpx.Auth = OAuth1Auth(consumer_key, consumer_secret, token=token,
                                  token_secret=token_secret)
    return auth


def asgi_client(app: object, auth: httpx.Auth | None = None,
                base_url: str = TEST_BASE) -> httpx.AsyncClient:
    """An async client talking to an ASGI app in-process."""
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=transport, base_url=base_url, auth=auth)
