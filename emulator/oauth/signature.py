"""RFC 5849 signature base strings and HMAC-SHA1, written out so every rule is visible.

`base_string` is the strict RFC form; `lenient_base_strings` adds the variants the PHP
Netflix library produced (query values signed in their already-encoded form, `+` kept for
spaces, `~` encoded), accepted only when `config.lenient_signatures` is on.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Sequence
from urllib.parse import quote, unquote, unquote_plus

from emulator.http import parse_digits

Param = tuple[str, str]

_DEFAULT_PORTS = {"http": 80, "https": 443}


def percent_encode(value: str) -> str:
    """RFC 3986 unreserved characters stay; everything else is %XX of its UTF-8 bytes."""
    return quote(value.encode(), safe="-._~")


def normalize_base_url(scheme: str, host: str, path: str) -> str:
    """Lower-case scheme and host, drop the default port, keep the path (RFC 5849 3.4.1.2)."""
    scheme = scheme.lower()
    host = host.lower()
    name, sep, port = host.rpartition(":")
    default = _DEFAULT_PORTS.get(scheme)
    if sep and name and default is not None and parse_digits(port, 5) == default:
        host = name
    return f"{scheme}://{host}{path or '/'}"


def parse_form(raw: str) -> list[Param]:
    """Decode `application/x-www-form-urlencoded` pairs (`+` is a space), keeping order."""
    pairs: list[Param] = []
    for part in raw.split("&"):
        if not part:
            continue
        name, _, value = part.partition("=")
        pairs.append((unquote_plus(name), unquote_plus(value)))
    return pairs


def parse_raw_pairs(raw: str) -> list[Param]:
    """Split a query string without decoding it: the pairs exactly as the client wrote them."""
    pairs: list[Param] = []
    for part in raw.split("&"):
        if part:
            name, _, value = part.partition("=")
            pairs.append((name, value))
    return pairs


def parse_authorization(header: str) -> list[Param] | None:
    """The parameters of an `Authorization: OAuth ...` header (realm dropped); None if not OAuth."""
    scheme, _, rest = header.strip().partition(" ")
    if scheme.lower() != "oauth":
        return None
    params: list[Param] = []
    for item in rest.split(","):
        item = item.strip()
        if not item:
            continue
        name, _, value = item.partition("=")
        name = name.strip()
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        if name.lower() == "realm":
            continue
        params.append((unquote(name), unquote(value)))
    return params


def normalize_parameters(params: Iterable[Param]) -> str:
    """Encode each pair, sort by name then value, join with `&` (oauth_signature excluded)."""
    encoded = sorted(
        (percent_encode(k), percent_encode(v)) for k, v in params if k != "oauth_signature"
    )
    return "&".join(f"{k}={v}" for k, v in encoded)


def base_string(method: str, base_url: str, params: Iterable[Param]) -> str:
    """`METHOD&enc(base URL)&enc(normalized parameters)`."""
    return "&".join(
        (method.upper(), percent_encode(base_url), percent_encode(normalize_parameters(params)))
    )


def hmac_sha1(base: str, consumer_secret: str, token_secret: str = "") -> str:
    """Base64 HMAC-SHA1 of a base string, keyed `enc(consumer_secret)&enc(token_secret)`."""
    key = f"{percent_encode(consumer_secret)}&{percent_encode(token_secret)}"
    digest = hmac.new(key.encode(), base.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def lenient_base_strings(
    method: str, base_url: str, oauth_and_body: Sequence[Param], raw_query: str
) -> list[str]:
    """Base strings a PHP-era client may have signed: raw query pairs, `~` as `%7E`."""
    oauth_part = [
        f"{percent_encode(k)}={percent_encode(v)}"
        for k, v in oauth_and_body
        if k != "oauth_signature"
    ]
    query_part = [f"{k}={v}" for k, v in parse_raw_pairs(raw_query)]
    joined = "&".join(sorted(oauth_part + query_part))
    strict_url = percent_encode(base_url)
    candidates = [f"{method.upper()}&{strict_url}&{percent_encode(joined)}"]
    php = f"{method.upper()}&{strict_url}&{percent_encode(joined).replace('~', '%7E')}"
    if php not in candidates:
        candidates.append(php)
    return candidates


def signatures_match(expected: str, given: str) -> bool:
    """Constant-time comparison of two base64 signatures."""
    return hmac.compare_digest(expected.encode(), given.encode())
