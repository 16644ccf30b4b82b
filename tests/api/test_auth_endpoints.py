"""Sign-in through the emulator's real login page, token import, sessions and their 401s."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.support.proxy import (
    PROXY_BASE,
    Proxy,
    log_in_at_emulator,
    path_and_query,
    running_proxy,
)

APP_URL = "https://app.example/signed-in"


@pytest.fixture
async def proxy(redis_url: str) -> AsyncIterator[Proxy]:
    async with running_proxy(redis_url, allowed_return_urls=["https://app.example/"]) as running:
        yield running


async def test_sign_in_through_the_login_page_opens_a_session(proxy: Proxy) -> None:
    start = await proxy.client.post("/v1/auth/start", json={})
    assert start.status_code == 200, start.text
    link = start.json()
    assert link["expires_in"] == proxy.settings.request_token_ttl_s
    callback = await log_in_at_emulator(proxy, link["login_url"])
    assert callback.startswith(f"{PROXY_BASE}/v1/auth/callback?")
    finished = await proxy.client.get(path_and_query(callback))
    assert finished.status_code == 200, finished.text
    assert finished.headers["cache-control"] == "no-store"  # it carries the session token
    grant = finished.json()
    assert grant["token_type"] == "bearer"
    subscriber = proxy.emulator.state.context.accounts.subscribers[0]
    assert grant["user_id"] == subscriber.user_id
    me = await proxy.client.get(
        "/v1/auth/me", headers={"Authorization": f"Bearer {grant['session_token']}"}
    )
    assert me.status_code == 200, me.text
    assert me.json()["user_id"] == subscriber.user_id
    assert 0 < me.json()["session_expires_in"] <= proxy.settings.session_ttl_s
    expires_at = datetime.fromisoformat(me.json()["session_expires_at"])
    assert expires_at > datetime.now(UTC) + timedelta(days=29)


async def test_a_denied_sign_in_opens_no_session(proxy: Proxy) -> None:
    link = (await proxy.client.post("/v1/auth/start")).json()
    callback = await log_in_at_emulator(proxy, link["login_url"], decision="deny")
    assert parse_qs(urlsplit(callback).query)["oauth_problem"] == ["user_refused"]
    refused = await proxy.client.get(path_and_query(callback))
    assert refused.status_code == 401, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "session_token" not in refused.text


async def test_a_callback_works_only_once(proxy: Proxy) -> None:
    link = (await proxy.client.post("/v1/auth/start")).json()
    callback = path_and_query(await log_in_at_emulator(proxy, link["login_url"]))
    assert (await proxy.client.get(callback)).status_code == 200
    again = await proxy.client.get(callback)
    assert again.status_code == 401
    assert again.headers["content-type"].startswith("application/problem+json")


async def test_a_callback_that_meets_an_upstream_outage_can_be_retried(proxy: Proxy) -> None:
    link = (await proxy.client.post("/v1/auth/start")).json()
    callback = path_and_query(await log_in_at_emulator(proxy, link["login_url"]))
    proxy.upstream.down = True
    failed = await proxy.client.get(callback)
    assert failed.status_code == 502, failed.text
    proxy.upstream.down = False
    retried = await proxy.client.get(callback)
    assert retried.status_code == 200, retried.text
    assert (await proxy.client.get(callback)).status_code == 401  # and then it is spent


async def test_unknown_request_token_at_callback_is_401(proxy: Proxy) -> None:
    answer = await proxy.client.get(
        "/v1/auth/callback", params={"oauth_token": "nope", "oauth_verifier": "x"}
    )
    assert answer.status_code == 401
    assert answer.json()["status"] == 401


async def test_sign_in_with_return_to_redirects_with_the_session_in_the_fragment(
    proxy: Proxy,
) -> None:
    link = (await proxy.client.post("/v1/auth/start", json={"return_to": APP_URL})).json()
    callback = await log_in_at_emulator(proxy, link["login_url"], user_index=1)
    finished = await proxy.client.get(path_and_query(callback))
    assert finished.status_code == 303
    assert finished.headers["cache-control"] == "no-store"
    target = urlsplit(finished.headers["location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == APP_URL
    fragment = parse_qs(target.fragment)
    assert fragment["token_type"] == ["bearer"]
    me = await proxy.client.get(
        "/v1/auth/me", headers={"Authorization": f"Bearer {fragment['session_token'][0]}"}
    )
    assert me.json()["user_id"] == fragment["user_id"][0]


@pytest.mark.parametrize(
    "return_to",
    [
        "https://evil.example/steal",
        "https://app.example.evil.test/",
        "http://app.example/signed-in",
        "javascript:alert(1)",
        "https://app.example/x#frag",
        "https://app.example:8443/",
        "https://evil.example\\@app.example/",
    ],
)
async def test_return_to_outside_the_allowed_urls_is_refused(proxy: Proxy, return_to: str) -> None:
    answer = await proxy.client.post("/v1/auth/start", json={"return_to": return_to})
    assert answer.status_code == 422, answer.text
    assert proxy.upstream.requests == []


async def test_start_from_a_browser_link_redirects_to_the_login_page(proxy: Proxy) -> None:
    answer = await proxy.client.get("/v1/auth/start", params={"redirect": "true"})
    assert answer.status_code == 303
    login = answer.headers["location"]
    assert "/oauth/login" in login
    assert "oauth_token" in parse_qs(urlsplit(login).query)
    plain = await proxy.client.get("/v1/auth/start")
    assert plain.status_code == 200
    assert "login_url" in plain.json()


async def test_a_browser_sign_in_is_finished_only_in_the_browser_that_started_it(
    proxy: Proxy,
) -> None:
    started = await proxy.client.get("/v1/auth/start", params={"redirect": "true"})
    assert started.status_code == 303
    assert "HttpOnly" in started.headers["set-cookie"]
    callback = path_and_query(await log_in_at_emulator(proxy, started.headers["location"]))
    proxy.client.cookies.clear()
    proxy.client.cookies.set("nfx_sign_in", "another-browser", domain="proxy.test")
    elsewhere = await proxy.client.get(callback)
    assert elsewhere.status_code == 401, elsewhere.text
    assert "another browser" in elsewhere.json()["detail"]

    proxy.client.cookies.clear()
    started = await proxy.client.get("/v1/auth/start", params={"redirect": "true"})
    callback = path_and_query(await log_in_at_emulator(proxy, started.headers["location"]))
    finished = await proxy.client.get(callback)  # the client's jar holds this browser's cookie
    assert finished.status_code == 200, finished.text
    assert "nfx_sign_in" not in proxy.client.cookies  # spent with the sign-in


async def test_import_then_sign_out(proxy: Proxy) -> None:
    user_id, token, secret = proxy.demo_tokens()[0]
    imported = await proxy.client.post(
        "/v1/auth/import", json={"access_token": token, "access_token_secret": secret}
    )
    assert imported.status_code == 200, imported.text
    assert imported.headers["cache-control"] == "no-store"
    grant = imported.json()
    assert grant["user_id"] == user_id
    assert token not in imported.text and secret not in imported.text
    auth = {"Authorization": f"Bearer {grant['session_token']}"}
    assert (await proxy.client.get("/v1/auth/me", headers=auth)).status_code == 200
    out = await proxy.client.post("/v1/auth/sign-out", headers=auth)
    assert out.status_code == 204
    assert out.content == b""
    after = await proxy.client.get("/v1/auth/me", headers=auth)
    assert after.status_code == 401


async def test_import_of_a_rejected_pair_is_401(proxy: Proxy) -> None:
    _, token, _ = proxy.demo_tokens()[0]
    answer = await proxy.client.post(
        "/v1/auth/import", json={"access_token": token, "access_token_secret": "not-the-secret"}
    )
    assert answer.status_code == 401, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    unknown = await proxy.client.post(
        "/v1/auth/import", json={"access_token": "unknown-token", "access_token_secret": "whatever"}
    )
    assert unknown.status_code == 401, unknown.text


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"access_token": "t"},
        {"access_token": "", "access_token_secret": "s"},
        {"access_token": "t", "access_token_secret": "s", "extra": 1},
    ],
)
async def test_import_validates_its_body(proxy: Proxy, body: dict[str, object]) -> None:
    answer = await proxy.client.post("/v1/auth/import", json=body)
    assert answer.status_code == 422, answer.text
    assert answer.json()["status"] == 422


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer "},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer " + "A" * 43},
    ],
)
async def test_session_endpoints_need_a_valid_bearer(proxy: Proxy, headers: dict[str, str]) -> None:
    for method, path in (("GET", "/v1/auth/me"), ("POST", "/v1/auth/sign-out")):
        answer = await proxy.client.request(method, path, headers=headers)
        assert answer.status_code == 401, (path, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert answer.headers["www-authenticate"].startswith("Bearer")
