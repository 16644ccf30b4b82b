"""Netflix's three security levels, parameter transports and the refusals at each step."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from urllib.parse import quote

import httpx
import pytest
from oauthlib.oauth1 import SIGNATURE_TYPE_BODY, SIGNATURE_TYPE_QUERY
from starlette.applications import Starlette

from emulator.config import DEMO_CONSUMER_KEY, DEMO_CONSUMER_SECRET
from emulator.oauth.nonces import NonceCache
from tests.emulator.oauth_helpers import (
    STALE_TIMESTAMP,
    emulator,
    gateway_refusal,
    sign,
    status_of,
)
from tests.support.clock import ManualClock
from tests.support.oauth import TEST_BASE, asgi_client
from tests.support.samples import sample_path

BASE = TEST_BASE


@pytest.mark.parametrize("signature_type", ["AUTH_HEADER", SIGNATURE_TYPE_QUERY])
async def test_signed_get_in_header_or_query(signature_type: str) -> None:
    async with asgi_client(emulator()) as client:
        response = await client.send(
            sign(
                "GET", f"{BASE}/probe/signed?term=star%20wars&x=a+b", signature_type=signature_type
            )
        )
    assert response.status_code == 200, response.text
    assert response.json() == {
        "consumer_key": DEMO_CONSUMER_KEY,
        "token": None,
        "user_id": None,
        "method": "GET",
    }


async def test_signed_parameters_in_an_urlencoded_body() -> None:
    async with asgi_client(emulator()) as client:
        request = sign(
            "POST",
            f"{BASE}/probe/signed",
            body="title_ref=http%3A%2F%2Fx%2F1&position=2",
            signature_type=SIGNATURE_TYPE_BODY,
        )
        assert "authorization" not in request.headers
        response = await client.send(request)
    assert response.status_code == 200, response.text


async def test_urlencoded_body_parameters_are_signed() -> None:
    request = sign("POST", f"{BASE}/probe/signed", body="position=2")
    tampered = httpx.Request("POST", request.url, headers=request.headers, content=b"position=3")
    async with asgi_client(emulator()) as client:
        assert (await client.send(request)).status_code == 200
        assert status_of(await client.send(tampered)) == (401, "Invalid Signature")


async def test_multipart_body_is_accepted_unsigned() -> None:
    signed = sign("POST", f"{BASE}/probe/signed")
    async with asgi_client(emulator()) as client:
        response = await client.post(
            "/probe/signed",
            files={"title_ref": (None, "x")},
            data={"position": "1"},
            headers={"Authorization": signed.headers["Authorization"]},
        )
    assert response.status_code == 200, response.text


async def test_the_url_the_client_used_is_what_counts() -> None:
    request = sign("GET", "https://netflix.test/probe/signed?a=1")
    async with asgi_client(emulator(), base_url="http://10.0.0.7:8000") as client:
        proxied = await client.get(
            "/probe/signed?a=1",
            headers={
                "Authorization": request.headers["Authorization"],
                "Host": "netflix.test",
                "X-Forwarded-Proto": "https",
            },
        )
        direct = await client.get(
            "/probe/signed?a=1", headers={"Authorization": request.headers["Authorization"]}
        )
    assert proxied.status_code == 200
    assert status_of(direct) == (401, "Invalid Signature")


async def test_wrong_secret_is_an_invalid_signature() -> None:
    async with asgi_client(emulator()) as client:
        response = await client.send(
            sign("GET", f"{BASE}/probe/signed", consumer_secret="not-the-secret")
        )
    assert status_of(response) == (401, "Invalid Signature")


async def test_missing_and_unknown_consumer_keys() -> None:
    async with asgi_client(emulator()) as client:
        missing = await client.get("/probe/consumer")
        unknown = await client.send(sign("GET", f"{BASE}/probe/signed", consumer_key="someone"))
    assert status_of(missing) == (401, "Missing Required Consumer Key")
    assert status_of(unknown) == (401, "Invalid Consumer Key")


async def test_consumer_level_needs_only_the_key_but_checks_a_sent_signature() -> None:
    async with asgi_client(emulator()) as client:
        bare = await client.get("/probe/consumer", params={"oauth_consumer_key": DEMO_CONSUMER_KEY})
        signed_level = await client.get(
            "/probe/signed", params={"oauth_consumer_key": DEMO_CONSUMER_KEY}
        )
        bad = await client.send(sign("GET", f"{BASE}/probe/consumer", consumer_secret="wrong"))
    assert bare.status_code == 200 and bare.json()["user_id"] is None
    assert status_of(signed_level) == (401, "Invalid Signature")
    assert status_of(bad) == (401, "Invalid Signature")


@pytest.mark.parametrize("offset", [-301, 301])
async def test_stale_or_future_timestamp_is_refused(offset: int) -> None:
    clock = ManualClock()
    async with asgi_client(emulator(clock)) as client:
        stamp = str(int(clock.now) + offset)
        response = await client.send(sign("GET", f"{BASE}/probe/signed", timestamp=stamp))
    assert gateway_refusal(response) == STALE_TIMESTAMP


async def test_stale_timestamp_is_refused_as_the_recorded_gateway_answer() -> None:
    recorded = sample_path("status", "http-401-timestamp-is-invalid-mashery-cheald.http")
    head, _, body = recorded.read_text().partition("\n\n")
    lines = head.splitlines()
    headers = dict(line.split(": ", 1) for line in lines[1:])
    clock = ManualClock()
    async with asgi_client(emulator(clock)) as client:
        stamp = str(int(clock.now) - 3600)
        request = sign("GET", f"{BASE}/probe/signed?output=json", timestamp=stamp)
        response = await client.send(request)
    assert gateway_refusal(response) == (
        int(lines[0].split()[1]),
        headers["Content-Type"],
        body,
        headers["X-Mashery-Error-Code"],
    )


@pytest.mark.parametrize("stamp", ["\u00b2", "1" * 5000, "-5", " 12", "1e9"])
async def test_unreadable_timestamp_is_refused_not_a_crash(stamp: str) -> None:
    async with asgi_client(emulator()) as client:
        response = await client.send(sign("GET", f"{BASE}/probe/signed", timestamp=stamp))
    assert gateway_refusal(response) == STALE_TIMESTAMP


async def test_timestamp_tolerance_follows_the_clock() -> None:
    clock = ManualClock()
    app = emulator(clock, timestamp_tolerance_s=10)
    stamp = str(int(clock.now))
    async with asgi_client(app) as client:
        assert (
            await client.send(sign("GET", f"{BASE}/probe/signed", timestamp=stamp, nonce="n1"))
        ).status_code == 200
        clock.advance(11)
        late = await client.send(sign("GET", f"{BASE}/probe/signed", timestamp=stamp, nonce="n2"))
    assert gateway_refusal(late) == STALE_TIMESTAMP


async def _same_nonce_twice(app: Starlette, nonce: str = "abc123") -> list[httpx.Response]:
    """What a 2009 client did: whole-second timestamps, a nonce from its process id."""
    stamp = str(int(time.time()))
    async with asgi_client(app) as client:
        return [
            await client.send(sign("GET", f"{BASE}/probe/signed", timestamp=stamp, nonce=n))
            for n in (nonce, nonce, nonce + "x")
        ]


async def test_repeated_nonce_is_accepted_by_default_as_the_live_api_did() -> None:
    answers = await _same_nonce_twice(emulator())
    assert [a.status_code for a in answers] == [200, 200, 200]


async def test_replayed_nonce_is_refused_when_asked() -> None:
    first, replay, other = await _same_nonce_twice(emulator(refuse_replayed_nonces=True))
    assert first.status_code == 200
    assert status_of(replay) == (401, "Nonce Has Already Been Used")
    assert other.status_code == 200


def test_nonce_memory_is_bounded_in_time_and_size() -> None:
    cache = NonceCache(tolerance_s=10, max_entries=3)
    assert cache.check_and_add(("k", "", "100", "a"), 100, now=100)
    assert not cache.check_and_add(("k", "", "100", "a"), 100, now=105)
    assert cache.check_and_add(("k", "", "120", "b"), 120, now=120)  # "a" expired at 110
    assert len(cache) == 1
    for nonce in "cdef":
        assert cache.check_and_add(("k", "", "120", nonce), 120, now=120)
    assert len(cache) == 3


async def test_protected_level_needs_an_access_token() -> None:
    app = emulator()
    user_id, token, secret = app.state.context.oauth.demo_tokens()[0]
    async with asgi_client(app) as client:
        missing = await client.send(sign("GET", f"{BASE}/probe/protected"))
        unknown = await client.send(
            sign("GET", f"{BASE}/probe/protected", token="x" * 24, secret=secret)
        )
        wrong_secret = await client.send(
            sign("GET", f"{BASE}/probe/protected", token=token, secret="wrong")
        )
        ok = await client.send(sign("GET", f"{BASE}/probe/protected", token=token, secret=secret))
        signed_with_token = await client.send(
            sign("GET", f"{BASE}/probe/signed", token=token, secret=secret)
        )
    assert status_of(missing) == (400, "Missing Required Access Token")
    assert status_of(unknown) == (401, "Invalid Or Expired Token")
    assert status_of(wrong_secret) == (401, "Invalid Signature")
    assert ok.json()["user_id"] == user_id and ok.json()["token"] == token
    assert signed_with_token.json()["user_id"] == user_id


async def test_unsupported_signature_method() -> None:
    request = sign("GET", f"{BASE}/probe/signed")
    header = request.headers["Authorization"].replace('"HMAC-SHA1"', '"PLAINTEXT"')
    async with asgi_client(emulator()) as client:
        response = await client.get("/probe/signed", headers={"Authorization": header})
    assert status_of(response) == (401, "Unsupported Signature Method")


@pytest.mark.parametrize(
    ("path_user", "expected"),
    [
        ("other", (401, "User ID access token mismatch")),
        ("T1nobody", (401, "User ID is invalid")),
        ("current", (401, "User ID is invalid")),
    ],
)
async def test_require_user_matches_the_token(path_user: str, expected: tuple[int, str]) -> None:
    app = emulator()
    tokens = app.state.context.oauth.demo_tokens()
    _, token, secret = tokens[0]
    user = tokens[1][0] if path_user == "other" else path_user
    async with asgi_client(app) as client:
        response = await client.send(
            sign("GET", f"{BASE}/probe/users/{user}", token=token, secret=secret)
        )
    assert status_of(response) == expected


async def test_the_access_token_string_is_accepted_as_user_id() -> None:
    app = emulator()
    user_id, token, secret = app.state.context.oauth.demo_tokens()[0]
    async with asgi_client(app) as client:
        response = await client.send(
            sign("GET", f"{BASE}/probe/users/{token}", token=token, secret=secret)
        )
    assert response.json() == {"user_id": user_id}


def _php_signed_header(url: str, raw_query: str, stamp: str) -> str:
    """Sign as the CodeIgniter library did: raw query pairs, `+` kept for spaces."""
    oauth = {
        "oauth_consumer_key": DEMO_CONSUMER_KEY,
        "oauth_nonce": "f" * 32,
        "oauth_signature_method": "HMAC-SHA1",
        "oauth_timestamp": stamp,
        "oauth_version": "1.0",
    }
    pairs = sorted([f"{k}={v}" for k, v in oauth.items()] + raw_query.split("&"))
    base = "GET&" + quote(url, safe="") + "&" + quote("&".join(pairs), safe="")
    key = f"{DEMO_CONSUMER_SECRET}&".encode()
    signature = base64.b64encode(hmac.new(key, base.encode(), hashlib.sha1).digest()).decode()
    params = ", ".join(
        f'{k}="{v}"' for k, v in {**oauth, "oauth_signature": quote(signature, safe="")}.items()
    )
    return f"OAuth {params}"


@pytest.mark.parametrize("lenient", [False, True])
async def test_lenient_mode_accepts_php_signatures(lenient: bool) -> None:
    header = _php_signed_header(
        f"{BASE}/probe/signed", "term=star+wars&max_results=5", str(int(time.time()))
    )
    async with asgi_client(emulator(lenient_signatures=lenient)) as client:
        response = await client.get(
            "/probe/signed?term=star+wars&max_results=5", headers={"Authorization": header}
        )
    if lenient:
        assert response.status_code == 200, response.text
    else:
        assert status_of(response) == (401, "Invalid Signature")


async def test_real_resources_sit_at_their_levels() -> None:
    app = emulator()
    user_id, token, secret = app.state.context.oauth.demo_tokens()[0]
    bare = {"oauth_consumer_key": DEMO_CONSUMER_KEY, "term": "star"}
    async with asgi_client(app) as client:
        autocomplete = await client.get("/catalog/titles/autocomplete", params=bare)
        unsigned_search = await client.get("/catalog/titles", params=bare)
        search = await client.send(sign("GET", f"{BASE}/catalog/titles?term=star"))
        consumer_on_user = await client.send(sign("GET", f"{BASE}/users/{user_id}"))
        user = await client.send(sign("GET", f"{BASE}/users/{user_id}", token=token, secret=secret))
    assert autocomplete.status_code == 200
    assert status_of(unsigned_search) == (401, "Invalid Signature")
    assert search.status_code == 200
    assert status_of(consumer_on_user) == (400, "Missing Required Access Token")
    assert user.status_code == 200 and user_id in user.text
