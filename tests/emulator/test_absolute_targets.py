"""Absolute-form request lines (RFC 9112 3.2.2), as clients behind an HTTP proxy sent them.

The emulator runs under uvicorn over TCP and the requests are written on a raw socket, so the
request line reaches the server exactly as such a client wrote it.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from authlib.oauth1 import ClientAuth

from emulator.config import DEMO_CONSUMER_KEY, DEMO_CONSUMER_SECRET
from emulator.targets import split_absolute
from tests.support.servers import free_port, python_server

SEARCH = "/catalog/titles?term=jaws&max_results=3"


@pytest.fixture(scope="module")
def emulator_port() -> Iterator[int]:
    port = free_port()
    with python_server(
        ["emulator", "--host", "127.0.0.1", "--port", str(port)],
        port,
        env={"NFX_EMULATOR_CATALOG_SIZE": "300", "NFX_EMULATOR_RATE_LIMITS": "false"},
    ):
        yield port


@pytest.fixture(autouse=True)
def _plain_http_signing(monkeypatch: pytest.MonkeyPatch) -> None:
    """authlib refuses to sign http URLs unless told; the 2009 API was plain http."""
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")


def _authorization(url: str) -> str:
    """The OAuth header a consumer-signed client computes for `url`."""
    client = ClientAuth(DEMO_CONSUMER_KEY, DEMO_CONSUMER_SECRET)
    _, headers, _ = client.prepare("GET", url, {}, "")
    return str(headers["Authorization"])


def _raw_get(port: int, target: str, host: str, authorization: str) -> tuple[int, bytes]:
    """Send one request line as written; (status, body) of the answer."""
    request = (
        f"GET {target} HTTP/1.1\r\nHost: {host}\r\nAuthorization: {authorization}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, body


def test_signed_absolute_form_request_is_answered_like_a_direct_one(emulator_port: int) -> None:
    absolute = f"http://api.netflix.com{SEARCH}"
    status, body = _raw_get(emulator_port, absolute, "api.netflix.com", _authorization(absolute))
    direct_url = f"http://127.0.0.1:{emulator_port}{SEARCH}"
    direct_status, direct_body = _raw_get(
        emulator_port, SEARCH, f"127.0.0.1:{emulator_port}", _authorization(direct_url)
    )
    assert (status, direct_status) == (200, 200), body
    assert b"<catalog_titles>" in body
    assert body == direct_body


def test_the_absolute_url_is_the_one_verified(emulator_port: int) -> None:
    """Signed for the server's own address but sent for api.netflix.com: refused."""
    absolute = f"http://api.netflix.com{SEARCH}"
    wrong = _authorization(f"http://127.0.0.1:{emulator_port}{SEARCH}")
    status, body = _raw_get(emulator_port, absolute, f"127.0.0.1:{emulator_port}", wrong)
    assert status == 401
    assert b"Invalid Signature" in body


def test_an_https_absolute_target_is_verified_as_https(emulator_port: int) -> None:
    absolute = f"https://api.netflix.com{SEARCH}"
    status, _ = _raw_get(emulator_port, absolute, "api.netflix.com", _authorization(absolute))
    assert status == 200
    as_http = _authorization(f"http://api.netflix.com{SEARCH}")
    status, _ = _raw_get(emulator_port, absolute, "api.netflix.com", as_http)
    assert status == 401


def test_absolute_form_reaches_every_resource(emulator_port: int) -> None:
    absolute = "http://api.netflix.com/catalog/titles/movies/60001220"
    status, body = _raw_get(emulator_port, absolute, "api.netflix.com", _authorization(absolute))
    assert status == 200, body
    assert b"<catalog_title>" in body
    missing = "http://api.netflix.com/catalog/nothing"
    status, body = _raw_get(emulator_port, missing, "api.netflix.com", _authorization(missing))
    assert status == 404
    assert b"Resource not found" in body


def test_split_absolute_reads_only_http_urls() -> None:
    assert split_absolute("http://api.netflix.com/catalog/titles") == (
        "http",
        "api.netflix.com",
        "/catalog/titles",
    )
    assert split_absolute("HTTPS://api.netflix.com:443") == ("https", "api.netflix.com:443", "/")
    assert split_absolute("ftp://api.netflix.com/x") is None
    assert split_absolute("/catalog/titles") is None
