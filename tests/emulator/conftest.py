"""Fixtures for emulator tests: a small in-process emulator and clients signed like real callers."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette

from emulator import EmulatorConfig, create_emulator
from tests.support.oauth import asgi_client, signer

SMALL_CATALOG = 300


@pytest.fixture
def emulator_app() -> Starlette:
    """A fresh emulator with a small catalog and rate limits off."""
    return create_emulator(EmulatorConfig(catalog_size=SMALL_CATALOG, rate_limits=False))


@pytest.fixture
async def consumer_client(emulator_app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """Signed with the demo consumer pair only (the catalog's security level)."""
    async with asgi_client(emulator_app, auth=signer()) as client:
        yield client


@pytest.fixture
async def user_client(emulator_app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """Signed with the first demo subscriber's access token."""
    _, token, secret = emulator_app.state.context.oauth.demo_tokens()[0]
    async with asgi_client(emulator_app, auth=signer(token, secret)) as client:
        yield client


@pytest.fixture
def demo_user_id(emulator_app: Starlette) -> str:
    """The first demo subscriber's user id."""
    user_id: str = emulator_app.state.context.oauth.demo_tokens()[0][0]
    return user_id
