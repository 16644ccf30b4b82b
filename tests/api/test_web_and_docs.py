"""The web app and the API docs are served from this process, beside the API, not over it."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from urllib.parse import urljoin

import pytest

from tests.support.proxy import PROXY_BASE, Proxy, running_proxy

ASSET = re.compile(r'(?:src|href)="([^"#]+)"')
MODULE_IMPORT = re.compile(r'from "(\./[a-z_]+\.js)"')


@pytest.fixture
async def proxy(redis_url: str) -> AsyncIterator[Proxy]:
    async with running_proxy(redis_url) as running:
        yield running


async def assert_same_origin_assets(proxy: Proxy, page: str) -> list[str]:
    """Every asset the page names is a path on this origin, and answers 200."""
    answer = await proxy.client.get(page)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/html")
    assets = ASSET.findall(answer.text)
    assert assets, page
    for asset in assets:
        assert asset.startswith("/") and not asset.startswith("//"), asset
        fetched = await proxy.client.get(asset)
        assert fetched.status_code == 200, asset
    assert "http://" not in answer.text and "https://" not in answer.text
    return assets


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_api_docs_load_only_same_origin_assets(proxy: Proxy, page: str) -> None:
    assets = await assert_same_origin_assets(proxy, page)
    assert any(asset.endswith(".js") for asset in assets)
    spec = await proxy.client.get("/openapi.json")
    assert spec.status_code == 200
    assert spec.json()["info"]["title"] == "netflix-proxy"


async def test_the_swagger_oauth2_redirect_page_is_served(proxy: Proxy) -> None:
    answer = await proxy.client.get("/docs/oauth2-redirect")
    assert answer.status_code == 200
    assert "oauth2" in answer.text


async def test_the_web_app_and_every_module_it_imports_are_served(proxy: Proxy) -> None:
    assets = await assert_same_origin_assets(proxy, "/")
    page = await proxy.client.get("/")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "connect-src 'self'" in policy
    assert page.headers["cache-control"] == "no-cache"
    pending = [asset for asset in assets if asset.endswith(".js")]
    seen: set[str] = set()
    while pending:
        script = pending.pop()
        if script in seen:
            continue
        seen.add(script)
        answer = await proxy.client.get(script)
        assert answer.status_code == 200, script
        assert "javascript" in answer.headers["content-type"], script
        pending += [urljoin(script, name) for name in MODULE_IMPORT.findall(answer.text)]
    assert {"/web/app.js", "/web/api.js", "/web/queue.js", "/web/views.js"} <= seen


async def test_the_web_app_shadows_no_other_route(proxy: Proxy) -> None:
    assert (await proxy.client.get("/healthz")).status_code == 200
    assert (
        (await proxy.client.get("/openapi.json"))
        .headers["content-type"]
        .startswith("application/json")
    )
    for missing in ("/v1/nothing", "/nothing", "/web/nothing.js"):
        answer = await proxy.client.get(missing)
        assert answer.status_code == 404, missing
    unknown = await proxy.client.get("/v1/nothing")
    assert unknown.headers["content-type"].startswith("application/problem+json")
    found = await proxy.client.get("/v1/titles?term=Jurassic%20Park")
    assert found.status_code == 200 and found.json()["items"]


async def test_a_browser_sign_in_may_return_to_the_web_app(proxy: Proxy) -> None:
    start = await proxy.client.get(
        "/v1/auth/start", params={"redirect": "true", "return_to": f"{PROXY_BASE}/"}
    )
    assert start.status_code == 303, start.text
    elsewhere = await proxy.client.get(
        "/v1/auth/start", params={"redirect": "true", "return_to": f"{PROXY_BASE}/docs"}
    )
    assert elsewhere.status_code == 403
