"""The proxy app wired in-process to a fresh emulator, with a real Redis, for API tests."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from html import unescape
from typing import Any
from urllib.parse import urlsplit

import httpx
from fastapi import FastAPI
from redis.asyncio import Redis
from starlette.applications import Starlette

from emulator import EmulatorConfig, create_emulator
from emulator.oauth.provider import DemoLogin
from service.app import create_app
from service.clock import SYSTEM_CLOCK, Clock
from service.settings import Settings
from tests.support.emulator_client import upstream_config

UPSTREAM_BASE = "https://netflix.test"
PROXY_BASE = "http://proxy.test"
CATALOG_SIZE = 300


class CountingTransport(httpx.AsyncBaseTransport):
    """Wraps the emulator's transport: counts upstream calls, and can play a dead upstream."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.requests: list[httpx.Request] = []
        self.down = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.down:
            raise httpx.ConnectError("upstream unreachable", request=request)
        return await self.inner.handle_async_request(request)

    def calls_to(self, path: str) -> int:
        """How many upstream requests went to exactly this path."""
        return sum(1 for request in self.requests if request.url.path == path)


@dataclass
class Proxy:
    """A running proxy app, its client, and the emulator behind it."""

    app: FastAPI
    client: httpx.AsyncClient
    emulator: Starlette
    upstream: CountingTransport
    redis: Redis
    settings: Settings
    extra: dict[str, Any] = field(default_factory=dict)

    def emulator_client(self) -> httpx.AsyncClient:
        """A client talking straight to the emulator (as a subscriber's browser would)."""
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.emulator), base_url=UPSTREAM_BASE
        )

    def demo_tokens(self) -> list[tuple[str, str, str]]:
        """(user_id, access_token, access_token_secret) of the emulator's seeded subscribers."""
        tokens: list[tuple[str, str, str]] = self.emulator.state.context.oauth.demo_tokens()
        return tokens

    async def sign_in(self, user_index: int = 0) -> tuple[str, str]:
        """Import a demo token pair; returns (session_token, user_id)."""
        _, token, secret = self.demo_tokens()[user_index]
        answer = await self.client.post(
            "/v1/auth/import", json={"access_token": token, "access_token_secret": secret}
        )
        assert answer.status_code == 200, answer.text
        body = answer.json()
        return str(body["session_token"]), str(body["user_id"])


def hidden_fields(page: str) -> dict[str, str]:
    """The hidden inputs of an emulator sign-in page's form."""
    return {
        unescape(name): unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)">', page)
    }


def form_action(page: str) -> str:
    """Where an emulator sign-in page's form posts to."""
    action = re.search(r'<form method="post" action="([^"]*)"', page)
    assert action is not None, page
    return unescape(action[1])


def sign_in_form(page: str, login: DemoLogin) -> dict[str, str]:
    """The sign-in form filled by field name: the subscriber's email and password."""
    assert 'name="login"' in page and 'name="password"' in page, page
    return {**hidden_fields(page), "login": login.email, "password": login.password}


def approval_form(page: str, decision: str = "allow") -> dict[str, str]:
    """The approval form after signing in, with the subscriber's decision."""
    assert f'name="decision" value="{decision}"' in page, page
    return {**hidden_fields(page), "decision": decision}


async def log_in_at_emulator(
    proxy: Proxy, login_url: str, user_index: int = 0, decision: str = "allow"
) -> str:
    """Sign in at the emulator as a demo subscriber, allow (or deny); the callback URL."""
    login = proxy.emulator.state.context.oauth.demo_logins()[user_index]
    async with proxy.emulator_client() as browser:
        page = await browser.get(path_and_query(login_url))
        assert page.status_code == 200, page.text
        approval = await browser.post(form_action(page.text), data=sign_in_form(page.text, login))
        assert approval.status_code == 200, approval.text
        answer = await browser.post(
            form_action(approval.text), data=approval_form(approval.text, decision)
        )
    assert answer.status_code == 303, answer.text
    return answer.headers["location"]


def path_and_query(url: str) -> str:
    """The part of a URL a client sends on its request line."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@asynccontextmanager
async def running_proxy(
    redis_url: str,
    *,
    redis: Redis | None = None,
    emulator_config: EmulatorConfig | None = None,
    clock: Clock = SYSTEM_CLOCK,
    **overrides: Any,
) -> AsyncIterator[Proxy]:
    """A proxy over a fresh in-process emulator and a flushed Redis; lifespan run around it."""
    emulator = create_emulator(emulator_config or upstream_config(catalog_size=CATALOG_SIZE))
    upstream = CountingTransport(httpx.ASGITransport(app=emulator))
    store = redis if redis is not None else Redis.from_url(redis_url)
    if redis is None:
        await store.flushdb()
    settings = Settings(upstream_base_url=UPSTREAM_BASE, public_url=PROXY_BASE, **overrides)
    app = create_app(settings, upstream_transport=upstream, redis=store, clock=clock)
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url=PROXY_BASE
            ) as client,
        ):
            yield Proxy(app, client, emulator, upstream, store, settings)
    finally:
        await store.aclose()
