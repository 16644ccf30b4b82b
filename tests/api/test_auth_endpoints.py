"""Sign-in through the emulator's real login page, token import, sessions and their 401s."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
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


@asynccontextmanager
async def other_browser(proxy: Proxy) -> AsyncIterator[httpx.AsyncClient]:
    """A client with its own, empty cookie jar (someone else's browser)."""
    transport = httpx.ASGITransport(app=proxy.app)
    async with httpx.AsyncClient(transport=transport, base_url=PROXY_BASE) as client:
        yield client


async def start_app_sign_in(
    proxy: Proxy, client: httpx.AsyncClient | None = None, **body: str
) -> dict[str, Any]:
    """`POST /v1/auth/start` as an app: the login URL, sign-in id and sign-in secret."""
    start = await (client or proxy.client).post("/v1/auth/start", json=body)
    assert start.status_code == 200, start.text
    assert start.headers["cache-control"] == "no-store"  # it carries the sign-in secret
    link: dict[str, Any] = start.json()
    return link


def claim_body(link: dict[str, Any], secret: str | None = None) -> dict[str, str]:
    return {"sign_in_id": link["sign_in_id"], "sign_in_secret": secret or link["sign_in_secret"]}


async def test_an_app_sign_in_completes_at_the_callback_and_the_app_claims_the_session(
    proxy: Proxy,
) -> None:
    link = await start_app_sign_in(proxy)
    assert link["expires_in"] == proxy.settings.request_token_ttl_s
    callback = await log_in_at_emulator(proxy, link["login_url"])
    assert callback.startswith(f"{PROXY_BASE}/v1/auth/callback?")
    async with other_browser(proxy) as browser:  # the system browser, not the app
        finished = await browser.get(path_and_query(callback))
    assert finished.status_code == 200, finished.text
    assert finished.json()["status"] == "complete"
    assert "session_token" not in finished.text
    claimed = await proxy.client.post("/v1/auth/session", json=claim_body(link))
    assert claimed.status_code == 200, claimed.text
    assert claimed.headers["cache-control"] == "no-store"  # it carries the session token
    grant = claimed.json()
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
    again = await proxy.client.post("/v1/auth/session", json=claim_body(link))
    assert again.status_code == 401, again.text  # a session is handed out once


async def test_a_claim_before_the_callback_is_409_and_can_be_retried(proxy: Proxy) -> None:
    link = await start_app_sign_in(proxy)
    early = await proxy.client.post("/v1/auth/session", json=claim_body(link))
    assert early.status_code == 409, early.text
    assert early.json()["type"].endswith("/sign-in-pending")
    assert int(early.headers["retry-after"]) >= 1
    callback = await log_in_at_emulator(proxy, link["login_url"])
    assert (await proxy.client.get(path_and_query(callback))).status_code == 200
    assert (await proxy.client.post("/v1/auth/session", json=claim_body(link))).status_code == 200


async def test_a_wrong_secret_is_refused_like_an_unknown_sign_in_and_spends_nothing(
    proxy: Proxy,
) -> None:
    link = await start_app_sign_in(proxy)
    callback = await log_in_at_emulator(proxy, link["login_url"])
    assert (await proxy.client.get(path_and_query(callback))).status_code == 200
    same_id = {"X-Request-ID": "same-id"}  # the only part that may differ between answers
    wrong = await proxy.client.post(
        "/v1/auth/session", json=claim_body(link, "not-the-secret"), headers=same_id
    )
    unknown = await proxy.client.post(
        "/v1/auth/session",
        json={"sign_in_id": "unknown", "sign_in_secret": "whatever"},
        headers=same_id,
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert (await proxy.client.post("/v1/auth/session", json=claim_body(link))).status_code == 200


async def test_a_victim_opening_an_attackers_callback_link_is_not_signed_in(
    proxy: Proxy,
) -> None:
    victim_link = await start_app_sign_in(proxy)
    attacker_link = await start_app_sign_in(proxy)
    attacker_callback = await log_in_at_emulator(proxy, attacker_link["login_url"], user_index=1)
    async with other_browser(proxy) as victim:
        opened = await victim.get(path_and_query(attacker_callback))
        assert opened.status_code == 200, opened.text
        assert "session_token" not in opened.text
        assert not victim.cookies
    # The victim's app holds only its own sign-in, which nobody completed.
    mine = await proxy.client.post("/v1/auth/session", json=claim_body(victim_link))
    assert mine.status_code == 409, mine.text
    # Nor does the attacker's sign-in id help without the attacker's secret.
    theirs = await proxy.client.post(
        "/v1/auth/session", json=claim_body(attacker_link, victim_link["sign_in_secret"])
    )
    assert theirs.status_code == 401, theirs.text


async def test_a_third_party_with_the_request_token_cannot_cancel_a_sign_in(
    proxy: Proxy,
) -> None:
    link = await start_app_sign_in(proxy)
    callback = path_and_query(await log_in_at_emulator(proxy, link["login_url"]))
    request_token = parse_qs(urlsplit(callback).query)["oauth_token"][0]
    async with other_browser(proxy) as third:
        forged = await third.get(
            "/v1/auth/callback", params={"oauth_token": request_token, "oauth_verifier": "guess"}
        )
        assert forged.status_code == 401, forged.text
    assert (await proxy.client.get(callback)).status_code == 200
    assert (await proxy.client.post("/v1/auth/session", json=claim_body(link))).status_code == 200


async def test_a_browser_sign_in_survives_a_callback_from_another_browser(proxy: Proxy) -> None:
    started = await proxy.client.get("/v1/auth/start", params={"redirect": "true"})
    callback = path_and_query(await log_in_at_emulator(proxy, started.headers["location"]))
    async with other_browser(proxy) as third:
        assert (await third.get(callback)).status_code == 401
    finished = await proxy.client.get(callback)  # the client's jar holds this browser's cookie
    assert finished.status_code == 200, finished.text
    assert finished.json()["session_token"]


async def test_a_denied_sign_in_opens_no_session(proxy: Proxy) -> None:
    link = (await proxy.client.post("/v1/auth/start")).json()
    callback = await log_in_at_emulator(proxy, link["login_url"], decision="deny")
    assert parse_qs(urlsplit(callback).query)["oauth_problem"] == ["user_refused"]
    refused = await proxy.client.get(path_and_query(callback))
    assert refused.status_code == 401, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "session_token" not in refused.text


async def test_a_callback_works_only_once(proxy: Proxy) -> None:
    link = await start_app_sign_in(proxy)
    callback = path_and_query(await log_in_at_emulator(proxy, link["login_url"]))
    assert (await proxy.client.get(callback)).status_code == 200
    again = await proxy.client.get(callback)
    assert again.status_code == 401
    assert again.headers["content-type"].startswith("application/problem+json")
    assert again.headers["cache-control"] == "no-store"


async def test_a_callback_that_meets_an_upstream_outage_can_be_retried(proxy: Proxy) -> None:
    link = await start_app_sign_in(proxy)
    callback = path_and_query(await log_in_at_emulator(proxy, link["login_url"]))
    proxy.upstream.down = True
    failed = await proxy.client.get(callback)
    assert failed.status_code == 502, failed.text
    proxy.upstream.down = False
    retried = await proxy.client.get(callback)
    assert retried.status_code == 200, retried.text
    assert (await proxy.client.get(callback)).status_code == 401  # and then it is spent
    assert (await proxy.client.post("/v1/auth/session", json=claim_body(link))).status_code == 200


async def test_unknown_request_token_at_callback_is_401(proxy: Proxy) -> None:
    answer = await proxy.client.get(
        "/v1/auth/callback", params={"oauth_token": "nope", "oauth_verifier": "x"}
    )
    assert answer.status_code == 401
    assert answer.json()["status"] == 401


async def test_an_app_sign_in_with_return_to_redirects_there_without_the_session(
    proxy: Proxy,
) -> None:
    link = await start_app_sign_in(proxy, return_to=APP_URL)
    callback = await log_in_at_emulator(proxy, link["login_url"], user_index=1)
    finished = await proxy.client.get(path_and_query(callback))
    assert finished.status_code == 303
    assert finished.headers["cache-control"] == "no-store"
    assert finished.headers["location"] == APP_URL
    claimed = await proxy.client.post("/v1/auth/session", json=claim_body(link))
    assert claimed.status_code == 200, claimed.text


async def test_a_browser_sign_in_with_return_to_redirects_with_the_session_in_the_fragment(
    proxy: Proxy,
) -> None:
    started = await proxy.client.get(
        "/v1/auth/start", params={"redirect": "true", "return_to": APP_URL}
    )
    callback = await log_in_at_emulator(proxy, started.headers["location"], user_index=1)
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
        "https://app.example:8443/",
        "https://evil.example\\@app.example/",
    ],
)
async def test_return_to_outside_the_allowed_urls_is_refused(proxy: Proxy, return_to: str) -> None:
    answer = await proxy.client.post("/v1/auth/start", json={"return_to": return_to})
    assert answer.status_code == 403, answer.text
    assert proxy.upstream.requests == []


async def test_return_to_with_a_fragment_is_invalid(proxy: Proxy) -> None:
    answer = await proxy.client.post(
        "/v1/auth/start", json={"return_to": "https://app.example/x#frag"}
    )
    assert answer.status_code == 422, answer.text
    assert "fragment" in answer.json()["detail"]
    assert proxy.upstream.requests == []


async def test_start_from_a_browser_link_redirects_to_the_login_page(proxy: Proxy) -> None:
    answer = await proxy.client.get("/v1/auth/start", params={"redirect": "true"})
    assert answer.status_code == 303
    login = answer.headers["location"]
    assert "/oauth/login" in login
    assert "oauth_token" in parse_qs(urlsplit(login).query)
    plain = await proxy.client.get("/v1/auth/start")
    assert plain.status_code == 200
    assert {"login_url", "sign_in_id", "sign_in_secret"} <= set(plain.json())


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


async def test_import_answers_alike_for_an_unknown_token_and_a_wrong_secret(
    proxy: Proxy,
) -> None:
    _, token, _ = proxy.demo_tokens()[0]
    same_id = {"X-Request-ID": "same-id"}  # the only part that may differ between answers
    wrong = await proxy.client.post(
        "/v1/auth/import",
        json={"access_token": token, "access_token_secret": "not-the-secret"},
        headers=same_id,
    )
    assert wrong.status_code == 401, wrong.text
    assert wrong.headers["content-type"].startswith("application/problem+json")
    unknown = await proxy.client.post(
        "/v1/auth/import",
        json={"access_token": "unknown-token", "access_token_secret": "whatever"},
        headers=same_id,
    )
    assert unknown.status_code == 401, unknown.text
    assert unknown.content == wrong.content
    assert unknown.headers["www-authenticate"] == wrong.headers["www-authenticate"]


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
        assert answer.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/v1/auth/nowhere", 404),
        ("PUT", "/v1/auth/start", 405),
        ("POST", "/v1/auth/import", 422),
        ("POST", "/v1/auth/session", 422),
    ],
)
async def test_every_auth_answer_is_no_store_errors_included(
    proxy: Proxy, method: str, path: str, status: int
) -> None:
    answer = await proxy.client.request(method, path)
    assert answer.status_code == status, answer.text
    assert answer.headers["cache-control"] == "no-store"
