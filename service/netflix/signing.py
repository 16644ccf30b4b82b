"""OAuth 1.0a HMAC-SHA1 request signing; the only module that imports authlib.

authlib's high-level clients refuse plain-http hosts other than localhost
(`InsecureTransportError`), which would break a proxy configured with `http://emulator:8081`.
Whether plain http is acceptable is the configuration's decision, not the signer's, so this
module builds the signature from authlib's RFC 5849 primitives (base string, HMAC-SHA1) and
never consults `AUTHLIB_INSECURE_TRANSPORT`.
"""

from __future__ import annotations

import enum
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote

import httpx
from authlib.oauth1.rfc5849.signature import hmac_sha1_signature, normalize_base_string_uri

Params = Sequence[tuple[str, str]]
# Never part of the signed parameters (RFC 5849 §3.4.1.3.1).
_NOT_SIGNED = frozenset({"oauth_signature", "realm"})


class Security(enum.Enum):
    """Netflix's three security levels of a call, weakest first.

    Which one a call needs is part of the upstream API (its resource list marks each):
    the proxy names it per call instead of inferring it from which tokens happen to be set.
    """

    # The consumer key as a query parameter, no signature (autocomplete).
    CONSUMER = "consumer"
    # Signed with the consumer secret alone (the catalog, starting a sign-in).
    SIGNED = "signed"
    # Signed with the consumer secret and a token's secret: a subscriber's access token for
    # their resources, or the authorized request token when trading it for one.
    PROTECTED = "protected"


def _escape(value: str) -> str:
    """RFC 5849 §3.6 percent-encoding (unreserved characters kept)."""
    return quote(value, safe="~")


def base_string(method: str, url: str, params: Params) -> str:
    """The RFC 5849 §3.4.1 signature base string (query, body and oauth_* params together).

    All values are given decoded; `url`'s query is left out (its parameters are in `params`).
    The parameters are normalized here (§3.4.1.3.2: each name and value encoded, then sorted)
    rather than by authlib, which decodes `oauth_*` values first and so needs them encoded
    twice: once is enough, and a signature is made for every upstream call.
    """
    pairs = sorted((_escape(k), _escape(v)) for k, v in params if k not in _NOT_SIGNED)
    normalized = "&".join([f"{k}={v}" for k, v in pairs])
    uri = str(normalize_base_string_uri(url))
    return f"{_escape(method.upper())}&{_escape(uri)}&{_escape(normalized)}"


def hmac_sha1(text: str, consumer_secret: str, token_secret: str | None) -> str:
    """The RFC 5849 §3.4.2 HMAC-SHA1 signature, base64-encoded."""
    return str(hmac_sha1_signature(text, consumer_secret, token_secret or ""))


def default_nonce() -> str:
    """A fresh, unguessable nonce."""
    return secrets.token_hex(16)


@dataclass(frozen=True, slots=True)
class Credentials:
    """What signs a request: the consumer pair, plus the request or access token if any."""

    consumer_key: str
    consumer_secret: str = field(repr=False)
    token: str | None = None
    token_secret: str | None = field(default=None, repr=False)
    callback: str | None = None
    verifier: str | None = None


def oauth_params(credentials: Credentials, *, timestamp: int, nonce: str) -> list[tuple[str, str]]:
    """The protocol parameters of one request, without the signature."""
    params = [
        ("oauth_consumer_key", credentials.consumer_key),
        ("oauth_nonce", nonce),
        ("oauth_signature_method", "HMAC-SHA1"),
        ("oauth_timestamp", str(timestamp)),
        ("oauth_version", "1.0"),
    ]
    if credentials.token is not None:
        params.append(("oauth_token", credentials.token))
    if credentials.callback is not None:
        params.append(("oauth_callback", credentials.callback))
    if credentials.verifier is not None:
        params.append(("oauth_verifier", credentials.verifier))
    return params


def sign(
    credentials: Credentials,
    method: str,
    url: str,
    extra: Params = (),
    *,
    timestamp: int,
    nonce: str,
) -> list[tuple[str, str]]:
    """The protocol parameters including `oauth_signature` for one request.

    `url` may carry a query; `extra` holds the other parameters sent (decoded): the query
    parameters of a `url` without one, form-encoded body parameters (which RFC 5849 signs).
    """
    protocol = oauth_params(credentials, timestamp=timestamp, nonce=nonce)
    query: list[tuple[str, str]] = []
    if "?" in url:
        query = parse_qsl(httpx.URL(url).query.decode("ascii"), keep_blank_values=True)
    text = base_string(method, url, [*query, *extra, *protocol])
    signature = hmac_sha1(text, credentials.consumer_secret, credentials.token_secret)
    return [*protocol, ("oauth_signature", signature)]


def authorization_header(params: Params) -> str:
    """Render protocol parameters as an `Authorization: OAuth ...` value (no realm)."""
    return "OAuth " + ", ".join(f'{_escape(k)}="{_escape(v)}"' for k, v in params)
