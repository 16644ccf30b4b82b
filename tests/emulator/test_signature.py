"""The signature code against published OAuth test vectors and two independent signers."""

from __future__ import annotations

import httpx
import pytest
from oauthlib.oauth1 import Client as OAuthlibClient

from emulator.oauth.signature import (
    Param,
    base_string,
    hmac_sha1,
    lenient_base_strings,
    normalize_base_url,
    parse_authorization,
    parse_form,
    percent_encode,
    signatures_match,
)
from tests.support.oauth import signer

# OAuth Core 1.0, Appendix A.5: GET photos.example.net/photos with a token.
PHOTOS_PARAMS: list[Param] = [
    ("file", "vacation.jpg"),
    ("size", "original"),
    ("oauth_consumer_key", "dpf43f3p2l4k3l03"),
    ("oauth_token", "nnch734d00sl2jdk"),
    ("oauth_signature_method", "HMAC-SHA1"),
    ("oauth_timestamp", "1191242096"),
    ("oauth_nonce", "kllo9940pd9333jh"),
    ("oauth_version", "1.0"),
]
PHOTOS_BASE = (
    "GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg%26oauth_consumer_key"
    "%3Ddpf43f3p2l4k3l03%26oauth_nonce%3Dkllo9940pd9333jh%26oauth_signature_method%3DHMAC-SHA1"
    "%26oauth_timestamp%3D1191242096%26oauth_token%3Dnnch734d00sl2jdk%26oauth_version%3D1.0"
    "%26size%3Doriginal"
)


def test_oauth_core_appendix_a_base_string_and_signature() -> None:
    base = base_string("GET", "http://photos.example.net/photos", PHOTOS_PARAMS)
    assert base == PHOTOS_BASE
    assert hmac_sha1(base, "kd94hf93k423kf44", "pfkkdhi9sl3r4s00") == "tR3+Ty81lMeYAr/Fid0kMTYa/WM="


def test_rfc5849_section_3_4_1_base_string_from_raw_request() -> None:
    header = (
        'OAuth realm="Example", oauth_consumer_key="9djdj82h48djs9d2", '
        'oauth_token="kkk9d7dh3k39sjv7", oauth_signature_method="HMAC-SHA1", '
        'oauth_timestamp="137131201", oauth_nonce="7d8f3e4a", '
        'oauth_signature="bYT5CMsGcbgUdFHObYMEfcx6bsw%3D"'
    )
    header_params = parse_authorization(header)
    assert header_params is not None
    assert ("realm", "Example") not in header_params
    params = header_params + parse_form("b5=%3D%253D&a3=a&c%40=&a2=r%20b") + parse_form("c2&a3=2+q")
    base = base_string("POST", normalize_base_url("HTTP", "Example.com:80", "/request"), params)
    assert base == (
        "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D"
        "%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce"
        "%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201"
        "%26oauth_token%3Dkkk9d7dh3k39sjv7"
    )


@pytest.mark.parametrize(
    ("method", "url", "params", "secrets", "expected"),
    [
        # RFC 5849 section 1.2: temporary credentials, token credentials, protected resource.
        (
            "POST",
            "https://photos.example.net/initiate",
            [
                ("oauth_consumer_key", "dpf43f3p2l4k3l03"),
                ("oauth_signature_method", "HMAC-SHA1"),
                ("oauth_timestamp", "137131200"),
                ("oauth_nonce", "wIjqoS"),
                ("oauth_callback", "http://printer.example.com/ready"),
            ],
            ("kd94hf93k423kf44", ""),
            "74KNZJeDHnMBp0EMJ9ZHt/XKycU=",
        ),
        (
            "POST",
            "https://photos.example.net/token",
            [
                ("oauth_consumer_key", "dpf43f3p2l4k3l03"),
                ("oauth_token", "hh5s93j4hdidpola"),
                ("oauth_signature_method", "HMAC-SHA1"),
                ("oauth_timestamp", "137131201"),
                ("oauth_nonce", "walatlh"),
                ("oauth_verifier", "hfdp7dh39dks9884"),
            ],
            ("kd94hf93k423kf44", "hdhd0244k9j7ao03"),
            "gKgrFCywp7rO0OXSjdot/IHF7IU=",
        ),
        (
            "GET",
            "http://photos.example.net/photos",
            [
                ("file", "vacation.jpg"),
                ("size", "original"),
                ("oauth_consumer_key", "dpf43f3p2l4k3l03"),
                ("oauth_token", "nnch734d00sl2jdk"),
                ("oauth_signature_method", "HMAC-SHA1"),
                ("oauth_timestamp", "137131202"),
                ("oauth_nonce", "chapoH"),
            ],
            ("kd94hf93k423kf44", "pfkkdhi9sl3r4s00"),
            "MdpQcU8iPSUjWoN/UDMsK2sui9I=",
        ),
    ],
)
def test_rfc5849_section_1_2_signatures(
    method: str, url: str, params: list[Param], secrets: tuple[str, str], expected: str
) -> None:
    assert hmac_sha1(base_string(method, url, params), *secrets) == expected


@pytest.mark.parametrize(
    ("scheme", "host", "path", "expected"),
    [
        (
            "http",
            "Api-Public.Netflix.com:80",
            "/catalog/titles",
            "http://api-public.netflix.com/catalog/titles",
        ),
        ("https", "netflix.test:443", "/x", "https://netflix.test/x"),
        ("http", "127.0.0.1:8081", "/x", "http://127.0.0.1:8081/x"),
        ("https", "netflix.test:80", "/x", "https://netflix.test:80/x"),
        ("http", "[::1]:80", "", "http://[::1]/"),
        ("http", "netflix.test:\u00b2", "/x", "http://netflix.test:\u00b2/x"),
        ("http", "netflix.test:" + "8" * 5000, "", "http://netflix.test:" + "8" * 5000 + "/"),
        ("ftp", "netflix.test:x", "/x", "ftp://netflix.test:x/x"),
    ],
)
def test_base_url_scheme_host_and_port_rules(
    scheme: str, host: str, path: str, expected: str
) -> None:
    assert normalize_base_url(scheme, host, path) == expected


def test_percent_encoding_is_rfc3986_over_utf8() -> None:
    assert percent_encode("a b+c~d*é") == "a%20b%2Bc~d%2A%C3%A9"


def test_header_without_oauth_scheme_is_not_parsed() -> None:
    assert parse_authorization("Basic dXNlcjpwYXNz") is None


def test_signature_comparison_is_exact() -> None:
    assert signatures_match("abc=", "abc=")
    assert not signatures_match("abc=", "abd=")


def _check_signed(method: str, url: str, header: str, body: str = "") -> None:
    """Recompute a third-party signature from the wire form with our own code."""
    parsed = parse_authorization(header)
    assert parsed is not None
    path_url, _, query = url.partition("?")
    scheme, _, rest = path_url.partition("://")
    host, slash, path = rest.partition("/")
    given = dict(parsed)["oauth_signature"]
    secrets_ = ("consumer-secret", "token-secret")
    base = base_string(
        method,
        normalize_base_url(scheme, host, slash + path),
        parsed + parse_form(query) + parse_form(body),
    )
    assert signatures_match(hmac_sha1(base, *secrets_), given)
    tampered = base_string(
        method,
        normalize_base_url(scheme, host, slash + path + "x"),
        parsed + parse_form(query) + parse_form(body),
    )
    assert not signatures_match(hmac_sha1(tampered, *secrets_), given)


@pytest.mark.parametrize("query", ["", "term=star%20wars&max_results=5", "term=a+b~c%2Fd&e="])
def test_agrees_with_oauthlib(query: str) -> None:
    client = OAuthlibClient(
        "consumer-key",
        client_secret="consumer-secret",
        resource_owner_key="token",
        resource_owner_secret="token-secret",
    )
    url = "https://netflix.test/users/u1/queues/disc" + (f"?{query}" if query else "")
    signed_url, headers, body = client.sign(
        url,
        http_method="POST",
        body="title_ref=http%3A%2F%2Fx%2F1&position=2",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    _check_signed("POST", signed_url, headers["Authorization"], body)


@pytest.mark.parametrize("query", ["", "term=star wars&output=json", "title_refs=a,b&x=%2B"])
def test_agrees_with_authlib(query: str) -> None:
    auth = signer(
        "token", "token-secret", consumer_key="consumer-key", consumer_secret="consumer-secret"
    )
    request = httpx.Request(
        "GET", "http://127.0.0.1:8081/catalog/titles" + (f"?{query}" if query else "")
    )
    signed = next(auth.sync_auth_flow(request))
    _check_signed("GET", str(signed.url), signed.headers["Authorization"])


def test_lenient_base_strings_accept_php_plus_for_spaces() -> None:
    oauth: list[Param] = [
        ("oauth_consumer_key", "k"),
        ("oauth_nonce", "n"),
        ("oauth_signature_method", "HMAC-SHA1"),
        ("oauth_timestamp", "1"),
    ]
    # The PHP library signs the raw query pair `term=a+b`: its `+` ends up as `%252B`, not `%2520`.
    php_base = "GET&http%3A%2F%2Fh%2Fp&" + percent_encode(
        "oauth_consumer_key=k&oauth_nonce=n&oauth_signature_method=HMAC-SHA1&oauth_timestamp=1"
        "&term=a+b"
    )
    strict = base_string("GET", "http://h/p", [*oauth, *parse_form("term=a+b")])
    assert strict != php_base
    assert php_base in lenient_base_strings("GET", "http://h/p", oauth, "term=a+b")
