"""Feeds: the advertised URLs open unsigned with the feed token and answer Atom."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import httpx
import pytest
from lxml import etree
from starlette.applications import Starlette

from tests.support.oauth import asgi_client

ATOM = "{http://www.w3.org/2005/Atom}"


async def _feed_urls(user_client: httpx.AsyncClient, user_id: str) -> list[str]:
    response = await user_client.get(f"/users/{user_id}/feeds")
    assert response.status_code == 200
    hrefs = [link.get("href") or "" for link in etree.fromstring(response.content)]
    parts = [urlsplit(href) for href in hrefs]
    return [f"{p.path}?{p.query}" for p in parts]


async def test_every_advertised_feed_opens_without_a_signature(
    emulator_app: Starlette, user_client: httpx.AsyncClient, demo_user_id: str
) -> None:
    urls = await _feed_urls(user_client, demo_user_id)
    async with asgi_client(emulator_app) as reader:  # no OAuth at all
        for url in urls:
            response = await reader.get(url)
            assert response.status_code == 200, (url, response.text)
            assert response.headers["content-type"].startswith("application/atom+xml")
            feed = etree.fromstring(response.content)
            assert feed.tag == f"{ATOM}feed"
            assert feed.findtext(f"{ATOM}title")
            for entry in feed.iterfind(f"{ATOM}entry"):
                assert entry.findtext(f"{ATOM}title")
                assert (entry.findtext(f"{ATOM}updated") or "").endswith("Z")
    disc = next(u for u in urls if "/queues/disc/" in u)
    async with asgi_client(emulator_app) as reader:
        entries = etree.fromstring((await reader.get(disc)).content).findall(f"{ATOM}entry")
    assert entries


@pytest.mark.parametrize(
    ("pattern", "replacement", "status", "message"),
    [
        (r"feed_token=[0-9a-f]+", "feed_token=" + "a" * 40, 401, "Bad feed token"),
        (r"feed_token=[0-9a-f]+", "feed_token=not-a-token", 403, "Invalid feed token"),
        (r"oauth_consumer_key=[^&]+", "oauth_consumer_key=other", 401, "Token resource mismatch"),
        (r"/queues/disc/available", "", 401, "Token resource mismatch"),
        (r"/users/T1", "/users/T2", 401, "User not found"),
    ],
)
async def test_feed_token_checks(
    emulator_app: Starlette,
    user_client: httpx.AsyncClient,
    demo_user_id: str,
    pattern: str,
    replacement: str,
    status: int,
    message: str,
) -> None:
    url = next(u for u in await _feed_urls(user_client, demo_user_id) if "/queues/disc/" in u)
    changed = re.sub(pattern, replacement, url, count=1)
    assert changed != url
    async with asgi_client(emulator_app) as reader:
        response = await reader.get(changed)
    assert response.status_code == status, response.text
    assert etree.fromstring(response.content).findtext("message") == message


async def test_feed_token_cannot_write(
    emulator_app: Starlette, user_client: httpx.AsyncClient, demo_user_id: str
) -> None:
    url = next(u for u in await _feed_urls(user_client, demo_user_id) if "/queues/disc/" in u)
    path, query = url.split("?", 1)
    async with asgi_client(emulator_app) as reader:
        response = await reader.delete(f"{path}/1?{query}")
    assert response.status_code == 401


async def test_another_users_feed_token_is_refused(
    emulator_app: Starlette, user_client: httpx.AsyncClient, demo_user_id: str
) -> None:
    url = next(u for u in await _feed_urls(user_client, demo_user_id) if "/at_home" in u)
    other = emulator_app.state.context.oauth.demo_tokens()[1][0]
    async with asgi_client(emulator_app) as reader:
        response = await reader.get(url.replace(demo_user_id, other))
    assert response.status_code == 401
    assert etree.fromstring(response.content).findtext("message") == "Bad feed token"
