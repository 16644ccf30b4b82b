"""The HTTP/1.1 transport's pool, flow control and TLS, against scripted servers over TCP."""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import ssl
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from service.netflix.http1 import Http1Transport
from tests.support.raw_http import RawServer, keep_alive, raw_server, read_request, response

pytestmark = pytest.mark.integration

BIG = 64 * 1024 * 1024


def _one_connection(pool_s: float) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    return httpx.AsyncClient(
        transport=Http1Transport(limits=limits), timeout=httpx.Timeout(5.0, pool=pool_s)
    )


async def _serve_big(
    server: RawServer, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    """Answer each request with `BIG` bytes, written as fast as the client takes them."""
    while True:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % BIG)
        piece = b"x" * (1 << 20)
        for _ in range(BIG // len(piece)):
            writer.write(piece)
            await writer.drain()
            server.sent += len(piece)


async def test_a_full_pool_times_out_then_hands_over_its_connection() -> None:
    async with raw_server(keep_alive()) as server, _one_connection(0.3) as client:
        held = await client.send(client.build_request("GET", server.url()), stream=True)
        with pytest.raises(httpx.PoolTimeout):
            await client.get(server.url())
        # A waiter gets the connection freed by the response it waited behind.
        waiting = asyncio.create_task(client.send(client.build_request("GET", server.url())))
        await asyncio.sleep(0.05)
        assert not waiting.done()
        await held.aclose()  # read to the end: the connection goes to the waiter
        assert (await waiting).content == b"ok"
    assert server.connections == 1


async def test_a_response_abandoned_half_read_is_not_reused() -> None:
    async with raw_server(_serve_big) as server, _one_connection(5.0) as client:
        async with client.stream("GET", server.url()) as first:
            async for _ in first.aiter_raw():
                break
        async with client.stream("GET", server.url()) as second:
            size = 0
            async for chunk in second.aiter_raw():
                size += len(chunk)
        assert size == BIG
    assert server.connections == 2


async def test_a_large_body_is_read_with_bounded_buffering() -> None:
    sizes: list[int] = []
    async with (
        raw_server(_serve_big) as server,
        _one_connection(5.0) as client,
        client.stream("GET", server.url()) as answer,
    ):
        async for chunk in answer.aiter_raw():
            sizes.append(len(chunk))
            if len(sizes) == 2:
                await asyncio.sleep(0.5)  # a slow reader: the server would run far ahead
                ahead = server.sent - sum(sizes)
    assert sum(sizes) == BIG
    # Socket buffers and the transport's own megabyte, not the 64 MB the server had to send.
    assert ahead < 24 * (1 << 20)
    # Pieces are handed on at most 64 KB at a time, however much was buffered.
    assert max(sizes) <= 1 << 16


def _certificates(folder: Path) -> tuple[Path, Path, Path]:
    """A CA, and a certificate it signs for localhost and 127.0.0.1: (CA, cert, key) files."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    paths = folder / "ca.pem", folder / "cert.pem", folder / "key.pem"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths


async def test_https_verifies_the_server_and_sends_sni(tmp_path: Path) -> None:
    ca, cert, key = _certificates(tmp_path)
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    names: list[str | None] = []
    server_context.sni_callback = lambda _sock, name, _ctx: names.append(name)
    trusting = ssl.create_default_context(cafile=str(ca))
    async with raw_server(
        keep_alive(lambda r: response(r.line)), ssl_context=server_context
    ) as server:
        url = f"https://localhost:{server.port}/secure"
        async with httpx.AsyncClient(transport=Http1Transport(), timeout=5.0) as default:
            with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
                await default.get(url)
        transport = Http1Transport(ssl_context=trusting)
        async with httpx.AsyncClient(transport=transport, timeout=5.0) as client:
            answers = [await client.get(url) for _ in range(2)]
    assert [a.content for a in answers] == [b"GET /secure HTTP/1.1"] * 2
    assert names[-1] == "localhost"
    assert server.connections == 1  # kept alive (the refused handshake never got this far)
