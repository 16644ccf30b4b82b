"""The sign-in page, and the whole OAuth dance as a 2009 client and as a 1.0a client ran it.

The page is walked by field names (`login`, `password`, then `decision`), as a browser
submits it; nothing here reaches into the emulator to approve a token.
"""

from __future__ import annotations

import re
import time
from html import unescape
from urllib.parse import parse_qs, parse_qsl, urlsplit

import httpx
from oauthlib.oauth1 import SIGNATURE_TYPE_QUERY
from starlette.applications import Starlette

from emulator.oauth.provider import DemoLogin
from tests.emulator.oauth_helpers import emulator, sign, status_of
from tests.support.oauth import TEST_BASE, asgi_client
from tests.support.proxy import approval_form, form_action, hidden_fields, sign_in_form

BASE = TEST_BASE
CALLBACK = "https://app.example/done?state=7"


def _login(app: Starlette, index: int = 0) -> DemoLogin:
    login: DemoLogin = app.state.context.oauth.demo_logins()[index]
    return login


async def _request_token(client: httpx.AsyncClient, callback: str | None = None) -> dict[str, str]:
    response = await client.send(sign("GET", f"{BASE}/oauth/request_token", callback=callback))
    assert response.status_code == 200, response.text
    return dict(parse_qsl(response.text, strict_parsing=True))


async def _signed_in(client: httpx.AsyncClient, login_url: str, login: DemoLogin) -> httpx.Response:
    """Open the login URL and submit email and password; the approval page."""
    page = await client.get(login_url)
    assert page.status_code == 200, page.text
    approval = await client.post(form_action(page.text), data=sign_in_form(page.text, login))
    assert approval.status_code == 200, approval.text
    return approval


def _verifier(page: str) -> str:
    found = re.search(r'<code id="oauth_verifier">([^<]*)</code>', page)
    assert found is not None, page
    return unescape(found[1])


async def test_a_2009_client_runs_the_whole_dance() -> None:
    """POST request token with query-string OAuth, no callback; no verifier at the end.

    Like Perl's WWW::Netflix::API: whole-second timestamps and one process-derived nonce,
    repeated on every call.
    """
    app = emulator()
    login = _login(app)
    stamp, nonce = str(int(time.time())), "netflix.pl::4242"
    async with asgi_client(app) as client:
        issued = await client.send(
            sign(
                "POST",
                f"{BASE}/oauth/request_token",
                signature_type=SIGNATURE_TYPE_QUERY,
                timestamp=stamp,
                nonce=nonce,
            )
        )
        assert issued.status_code == 200, issued.text
        token = dict(parse_qsl(issued.text))
        assert "oauth_callback_confirmed" not in token
        page = await client.get(token["login_url"])
        assert 'name="login"' in page.text and 'name="password"' in page.text
        approval = await client.post(form_action(page.text), data=sign_in_form(page.text, login))
        done = await client.post(form_action(approval.text), data=approval_form(approval.text))
        assert done.status_code == 200
        assert "successfully" in done.text
        assert _verifier(done.text)
        answer = await client.send(
            sign(
                "GET",
                f"{BASE}/oauth/access_token",
                token=token["oauth_token"],
                secret=token["oauth_token_secret"],
                signature_type=SIGNATURE_TYPE_QUERY,
                timestamp=stamp,
                nonce=nonce,
            )
        )
        assert answer.status_code == 200, answer.text
        access = dict(parse_qsl(answer.text))
        assert access["user_id"] == login.user_id
        for _ in range(2):  # the same nonce and second again: accepted, as the live API did
            me = await client.send(
                sign(
                    "GET",
                    f"{BASE}/probe/users/{login.user_id}",
                    token=access["oauth_token"],
                    secret=access["oauth_token_secret"],
                    signature_type=SIGNATURE_TYPE_QUERY,
                    timestamp=stamp,
                    nonce=nonce,
                )
            )
            assert me.json() == {"user_id": login.user_id}


async def test_a_1_0a_client_runs_the_whole_dance_with_callback_and_verifier() -> None:
    app = emulator()
    login = _login(app, 1)
    async with asgi_client(app) as client:
        token = await _request_token(client, callback=CALLBACK)
        approval = await _signed_in(client, token["login_url"], login)
        approved = await client.post(form_action(approval.text), data=approval_form(approval.text))
        assert approved.status_code == 303
        location = urlsplit(approved.headers["location"])
        assert (location.scheme, location.netloc, location.path) == (
            "https",
            "app.example",
            "/done",
        )
        query = parse_qs(location.query)
        assert query["state"] == ["7"] and query["oauth_token"] == [token["oauth_token"]]
        wrong = await client.send(
            sign(
                "GET",
                f"{BASE}/oauth/access_token",
                token=token["oauth_token"],
                secret=token["oauth_token_secret"],
                verifier="not-the-verifier",
            )
        )
        assert status_of(wrong) == (401, "Expired or bad request token")
        answer = await client.send(
            sign(
                "GET",
                f"{BASE}/oauth/access_token",
                token=token["oauth_token"],
                secret=token["oauth_token_secret"],
                verifier=query["oauth_verifier"][0],
            )
        )
    assert answer.status_code == 200, answer.text
    assert dict(parse_qsl(answer.text))["user_id"] == login.user_id


async def test_wrong_credentials_show_the_form_again_with_an_error() -> None:
    app = emulator()
    login = _login(app)
    async with asgi_client(app) as client:
        token = await _request_token(client)
        page = await client.get(token["login_url"])
        for email, password in [
            (login.email, login.password + "x"),
            ("nobody@example.com", login.password),
            (login.email, ""),
        ]:
            again = await client.post(
                form_action(page.text),
                data={**hidden_fields(page.text), "login": email, "password": password},
            )
            assert again.status_code == 200
            assert "Incorrect email or password" in again.text
            assert 'name="password"' in again.text and 'name="decision"' not in again.text
        # The email is not case sensitive; the request token is still good after failures.
        upper = DemoLogin(login.user_id, login.email.upper(), login.password)
        approval = await client.post(form_action(page.text), data=sign_in_form(page.text, upper))
    assert 'name="decision" value="allow"' in approval.text


async def test_approval_needs_the_code_of_the_sign_in() -> None:
    """The application holding the request token cannot allow itself without the password."""
    app = emulator()
    async with asgi_client(app) as client:
        token = await _request_token(client)
        forged = await client.post(
            "/oauth/login", data={"oauth_token": token["oauth_token"], "decision": "allow"}
        )
        assert status_of(forged) == (401, "Authorization failed")
        approval = await _signed_in(client, token["login_url"], _login(app))
        wrong_code = {**approval_form(approval.text), "approval_code": "guess"}
        refused = await client.post(form_action(approval.text), data=wrong_code)
    assert status_of(refused) == (401, "Authorization failed")


async def test_deny_with_a_callback_redirects_with_user_refused() -> None:
    app = emulator()
    async with asgi_client(app) as client:
        token = await _request_token(client, callback=CALLBACK)
        approval = await _signed_in(client, token["login_url"], _login(app))
        denied = await client.post(
            form_action(approval.text), data=approval_form(approval.text, "deny")
        )
        assert denied.status_code == 303
        query = parse_qs(urlsplit(denied.headers["location"]).query)
        assert query["oauth_problem"] == ["user_refused"]
        assert query["oauth_token"] == [token["oauth_token"]]
        assert "oauth_verifier" not in query
        answer = await client.send(
            sign(
                "GET",
                f"{BASE}/oauth/access_token",
                token=token["oauth_token"],
                secret=token["oauth_token_secret"],
            )
        )
    assert status_of(answer) == (401, "Expired or bad request token")


async def test_deny_without_a_callback_shows_a_failed_page() -> None:
    app = emulator()
    async with asgi_client(app) as client:
        token = await _request_token(client, callback="oob")
        approval = await _signed_in(client, token["login_url"], _login(app))
        denied = await client.post(
            form_action(approval.text), data=approval_form(approval.text, "deny")
        )
    assert denied.status_code == 200
    assert "failed" in denied.text and "successfully" not in denied.text


async def test_callback_from_the_php_library_login_url_is_used() -> None:
    """The PHP library puts the callback, unencoded, on the login URL, not the token call."""
    app = emulator()
    async with asgi_client(app) as client:
        token = await _request_token(client)
        login_url = (
            f"/oauth/login?oauth_token={token['oauth_token']}&oauth_consumer_key="
            "nfxdemoconsumerkey&application_name=Netflix+Proxy+Demo"
            "&oauth_callback=http://app.example/welcome/access_netflix"
        )
        approval = await _signed_in(client, login_url, _login(app))
        approved = await client.post(form_action(approval.text), data=approval_form(approval.text))
    assert approved.headers["location"].startswith("http://app.example/welcome/access_netflix?")


def test_demo_logins_are_deterministic_per_seed_and_distinct() -> None:
    logins = emulator().state.context.oauth.demo_logins()
    assert logins == emulator().state.context.oauth.demo_logins()
    assert len({(d.email, d.password) for d in logins}) == len(logins) == 3
    assert all(re.fullmatch(r"[a-z]+\.[a-z]+@example\.com", d.email) for d in logins)
    assert logins != emulator(seed=2).state.context.oauth.demo_logins()
