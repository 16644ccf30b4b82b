"""The three-legged dance in-process: request token, approval, access token, protected call.

The sign-in page itself is exercised in test_sign_in_page.py.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

import httpx
import pytest
from starlette.applications import Starlette

from tests.emulator.oauth_helpers import emulator, sign, status_of
from tests.support.clock import ManualClock
from tests.support.oauth import TEST_BASE, asgi_client
from tests.support.samples import sample_path

BASE = TEST_BASE


async def _request_token(
    client: httpx.AsyncClient, *, method: str = "GET", callback: str | None = None
) -> dict[str, str]:
    response = await client.send(sign(method, f"{BASE}/oauth/request_token", callback=callback))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return dict(parse_qsl(response.text, strict_parsing=True))


async def _access_token(
    client: httpx.AsyncClient, token: dict[str, str], verifier: str | None = None
) -> httpx.Response:
    return await client.send(
        sign(
            "GET",
            f"{BASE}/oauth/access_token",
            token=token["oauth_token"],
            secret=token["oauth_token_secret"],
            verifier=verifier,
        )
    )


def _first_user(app: Starlette) -> str:
    user_id: str = app.state.context.accounts.subscribers[0].user_id
    return user_id


async def test_request_token_is_form_encoded_with_login_url() -> None:
    app = emulator()
    async with asgi_client(app) as client:
        response = await client.send(sign("GET", f"{BASE}/oauth/request_token"))
    fields = dict(parse_qsl(response.text))
    assert set(fields) == {"oauth_token", "oauth_token_secret", "application_name", "login_url"}
    assert fields["application_name"] == app.state.context.config.application_name
    assert fields["login_url"] == f"{BASE}/oauth/login?oauth_token={fields['oauth_token']}"
    # Encoded like the recorded answer: the whole login URL percent-encoded, spaces as '+'.
    assert "login_url=https%3A%2F%2Fnetflix.test%2Foauth%2Flogin%3Foauth_token%3D" in response.text
    assert "application_name=Netflix+Proxy+Demo" in response.text


async def test_login_base_and_post_request_token() -> None:
    app = emulator(login_base="https://api-user.netflix.com/")
    async with asgi_client(app) as client:
        fields = await _request_token(client, method="POST")
    assert fields["login_url"].startswith("https://api-user.netflix.com/oauth/login?oauth_token=")


async def test_old_clients_exchange_without_verifier() -> None:
    app = emulator()
    user_id = _first_user(app)
    async with asgi_client(app) as client:
        token = await _request_token(client)
        app.state.context.oauth.authorize_request_token(token["oauth_token"], user_id)
        answer = await _access_token(client, token)
    assert answer.status_code == 200
    assert dict(parse_qsl(answer.text))["user_id"] == user_id


async def test_request_token_is_single_use() -> None:
    app = emulator()
    async with asgi_client(app) as client:
        token = await _request_token(client)
        app.state.context.oauth.authorize_request_token(token["oauth_token"], _first_user(app))
        assert (await _access_token(client, token)).status_code == 200
        again = await _access_token(client, token)
    assert status_of(again) == (401, "Expired or bad request token")


async def test_unauthorized_request_token_is_refused() -> None:
    app = emulator()
    async with asgi_client(app) as client:
        token = await _request_token(client)
        answer = await _access_token(client, token)
    assert status_of(answer) == (401, "Expired or bad request token")


async def test_wrong_verifier_is_refused() -> None:
    app = emulator()
    async with asgi_client(app) as client:
        token = await _request_token(client)
        verifier = app.state.context.oauth.authorize_request_token(
            token["oauth_token"], _first_user(app)
        )
        wrong = await _access_token(client, token, verifier[::-1] + "x")
        assert status_of(wrong) == (401, "Expired or bad request token")
        assert (await _access_token(client, token, verifier)).status_code == 200


async def test_request_token_expires_on_the_instance_clock() -> None:
    clock = ManualClock()
    app = emulator(clock, request_token_ttl_s=60)
    async with asgi_client(app) as client:
        token = await _request_token(client)
        app.state.context.oauth.authorize_request_token(token["oauth_token"], _first_user(app))
        clock.advance(61)
        answer = await _access_token(client, token)
    assert status_of(answer) == (401, "Expired or bad request token")


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"oauth_token": "nope"}, (401, "Expired or bad request token")),
        ({"oauth_consumer_key": "other"}, (401, "Consumer key mismatch")),
        ({"application_name": "Some Other App"}, (401, "Application name mismatch")),
        ({"oauth_callback": "javascript:alert(1)"}, (400, "oauth_callback is invalid")),
    ],
)
async def test_sign_in_page_checks_its_url(
    params: dict[str, str], expected: tuple[int, str]
) -> None:
    app = emulator()
    async with asgi_client(app) as client:
        token = await _request_token(client)
        page = await client.get(
            "/oauth/login", params={"oauth_token": token["oauth_token"], **params}
        )
    assert status_of(page) == expected


async def test_non_http_callback_on_request_token_is_refused() -> None:
    app = emulator()
    async with asgi_client(app) as client:
        response = await client.send(
            sign("GET", f"{BASE}/oauth/request_token", callback="file:///etc/passwd")
        )
    assert status_of(response) == (400, "oauth_callback is invalid")


async def test_revoked_access_token_is_refused() -> None:
    app = emulator()
    user_id, token, secret = app.state.context.oauth.demo_tokens()[0]
    async with asgi_client(app) as client:
        ok = await client.send(sign("GET", f"{BASE}/probe/protected", token=token, secret=secret))
        assert ok.json()["user_id"] == user_id
        assert app.state.context.oauth.revoke_access_token(token)
        refused = await client.send(
            sign("GET", f"{BASE}/probe/protected", token=token, secret=secret)
        )
    assert status_of(refused) == (401, "Invalid Or Expired Token")


def test_demo_tokens_are_deterministic_per_seed() -> None:
    first = emulator().state.context.oauth.demo_tokens()
    assert first == emulator().state.context.oauth.demo_tokens()
    assert len(first) == len(emulator().state.context.accounts.subscribers)
    assert first != emulator(seed=2).state.context.oauth.demo_tokens()
    assert all(len(token) == 24 and len(secret) == 12 for _, token, secret in first)


def _recorded_request_token() -> str:
    return sample_path("oauth", "request_token-a_better_queue-nrtflrx.txt").read_text().strip()


async def test_request_token_answer_is_shaped_like_the_recording() -> None:
    recorded = _recorded_request_token()
    async with asgi_client(emulator()) as client:
        answer = (await client.send(sign("GET", f"{BASE}/oauth/request_token"))).text
    assert [k for k, _ in parse_qsl(answer)] == [k for k, _ in parse_qsl(recorded)]

    def shape(body: str) -> str:
        fields = dict(parse_qsl(body))
        for value in (fields["oauth_token"], fields["oauth_token_secret"]):
            body = body.replace(value, "TOKEN")
        return body.replace("netflix.test", "HOST").replace("api-user.netflix.com", "HOST")

    # Same encoding: the login URL percent-encoded whole, the name with '+' for spaces.
    assert shape(answer).split("&login_url=")[1] == shape(recorded).split("&login_url=")[1]
    assert "+" in recorded.split("application_name=")[1].split("&")[0]
    assert "application_name=Netflix+Proxy+Demo&" in answer
