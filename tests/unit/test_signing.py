"""The signer against published OAuth 1.0 vectors and an independent verifier (oauthlib)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import parse_qsl

import httpx
import pytest
from oauthlib.oauth1.rfc5849 import signature as oauthlib_signature
from oauthlib.oauth1.rfc5849.utils import escape

from service.netflix.signing import (
    Credentials,
    Security,
    authorization_header,
    base_string,
    hmac_sha1,
    sign,
)
from service.netflix.transport import AccessToken, Call

PHOTOS = "http://photos.example.net/photos?file=vacation.jpg&size=original"


def test_base_string_matches_rfc5849_section_3_4_1_1() -> None:
    params = [
        ("b5", "=%3D"),
        ("a3", "a"),
        ("c@", ""),
        ("a2", "r b"),  # query, decoded
        ("c2", ""),
        ("a3", "2 q"),  # form body, decoded
        ("oauth_consumer_key", "9djdj82h48djs9d2"),
        ("oauth_token", "kkk9d7dh3k39sjv7"),
        ("oauth_signature_method", "HMAC-SHA1"),
        ("oauth_timestamp", "137131201"),
        ("oauth_nonce", "7d8f3e4a"),
    ]
    expected = (
        "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q"
        "%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_"
        "key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_m"
        "ethod%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk"
        "9d7dh3k39sjv7"
    )
    url = "http://EXAMPLE.COM:80/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b"
    assert base_string("post", url, params) == expected


def test_signature_matches_rfc5849_section_1_2_resource_request() -> None:
    params = [
        ("file", "vacation.jpg"),
        ("size", "original"),
        ("oauth_consumer_key", "dpf43f3p2l4k3l03"),
        ("oauth_token", "nnch734d00sl2jdk"),
        ("oauth_signature_method", "HMAC-SHA1"),
        ("oauth_timestamp", "137131202"),
        ("oauth_nonce", "chapoH"),
    ]
    text = base_string("GET", PHOTOS, params)
    assert hmac_sha1(text, "kd94hf93k423kf44", "pfkkdhi9sl3r4s00") == "MdpQcU8iPSUjWoN/UDMsK2sui9I="


def test_signature_matches_rfc5849_section_1_2_temporary_credentials() -> None:
    params = [
        ("oauth_consumer_key", "dpf43f3p2l4k3l03"),
        ("oauth_signature_method", "HMAC-SHA1"),
        ("oauth_timestamp", "137131200"),
        ("oauth_nonce", "wIjqoS"),
        ("oauth_callback", "http://printer.example.com/ready"),
    ]
    text = base_string("POST", "https://photos.example.net/initiate", params)
    assert hmac_sha1(text, "kd94hf93k423kf44", None) == "74KNZJeDHnMBp0EMJ9ZHt/XKycU="


def test_sign_matches_oauth_core_1_0_appendix_a() -> None:
    credentials = Credentials(
        "dpf43f3p2l4k3l03",
        "kd94hf93k423kf44",
        token="nnch734d00sl2jdk",
        token_secret="pfkkdhi9sl3r4s00",
    )
    params = dict(sign(credentials, "GET", PHOTOS, timestamp=1191242096, nonce="kllo9940pd9333jh"))
    assert params["oauth_signature"] == "tR3+Ty81lMeYAr/Fid0kMTYa/WM="
    assert params["oauth_version"] == "1.0"


def test_authorization_header_percent_encodes_values() -> None:
    header = authorization_header([("oauth_signature", "a+b/c="), ("oauth_nonce", "x y")])
    assert header == 'OAuth oauth_signature="a%2Bb%2Fc%3D", oauth_nonce="x%20y"'


async def _signed_request(credentials: Credentials, request: httpx.Request) -> httpx.Request:
    """`request` signed as `Upstream` signs its calls: the URL without its query, then the
    query and form parameters."""
    form = parse_qsl(request.content.decode(), keep_blank_values=True)
    params = sign(
        credentials,
        request.method,
        str(request.url.copy_with(query=None)),
        [*request.url.params.multi_items(), *form],
        timestamp=1_300_000_000,
        nonce="n0nce",
    )
    request.headers["Authorization"] = authorization_header(params)
    return request


def _verify_with_oauthlib(
    sent: httpx.Request, consumer_secret: str, token_secret: str | None, body: list[tuple[str, str]]
) -> bool:
    header = sent.headers["Authorization"]
    oauth = oauthlib_signature.collect_parameters(
        headers={"Authorization": header}, exclude_oauth_signature=False
    )
    signature: str = dict(oauth)["oauth_signature"]
    query = [(k, v) for k, v in httpx.URL(str(sent.url)).params.multi_items()]
    params = oauthlib_signature.normalize_parameters(
        [*query, *body, *[(k, v) for k, v in oauth if k != "oauth_signature"]]
    )
    uri = oauthlib_signature.base_string_uri(str(sent.url))
    text = oauthlib_signature.signature_base_string(sent.method, uri, params)
    key = f"{escape(consumer_secret)}&{escape(token_secret or '')}".encode()
    digest = hmac.new(key, text.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode() == signature


async def test_signer_output_verifies_with_oauthlib_for_plain_http_hosts() -> None:
    credentials = Credentials("key", "secret", token="tok", token_secret="toksecret")
    request = httpx.Request("GET", "http://emulator:8081/catalog/titles?term=star%20wars&x=a+b")
    sent = await _signed_request(credentials, request)
    assert sent.headers["Authorization"].startswith("OAuth ")
    assert 'oauth_token="tok"' in sent.headers["Authorization"]
    assert _verify_with_oauthlib(sent, "secret", "toksecret", [])
    assert not _verify_with_oauthlib(sent, "secret", "wrong", [])


async def test_signer_signs_form_bodies_and_consumer_only_requests() -> None:
    credentials = Credentials("key", "secret", callback="https://app.example/cb?x=%2F")
    body = [("title_ref", "http://api-public.netflix.com/catalog/titles/movies/1"), ("etag", "12")]
    request = httpx.Request("POST", "https://netflix.test/users/u/queues/disc", data=dict(body))
    sent = await _signed_request(credentials, request)
    assert "oauth_token=" not in sent.headers["Authorization"]
    assert _verify_with_oauthlib(sent, "secret", None, body)
    assert not _verify_with_oauthlib(sent, "secret", None, [("etag", "13")])


def test_a_protected_call_carries_a_token_and_only_it_does() -> None:
    token = AccessToken("t", "s")
    assert Call("GET", "/users/u", security=Security.PROTECTED, token=token).token == token
    with pytest.raises(ValueError, match="PROTECTED"):
        Call("GET", "/users/u", security=Security.PROTECTED)
    with pytest.raises(ValueError, match="PROTECTED"):
        Call("GET", "/catalog/titles", security=Security.SIGNED, token=token)
