"""Reads the OAuth parameters of a request from wherever the client put them.

Netflix accepted the `Authorization: OAuth` header, the query string and urlencoded bodies
(multipart bodies are accepted by the resources but never signed). The base URL is the one
the client addressed: the URL of an absolute-form request line, else the `Host` header and
`X-Forwarded-Proto`, which win over the socket.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from starlette.requests import Request

from emulator.oauth.signature import Param, normalize_base_url, parse_authorization, parse_form
from emulator.targets import ABSOLUTE_BASE_KEY

# The middleware records the method the client really sent when `method=` overrides it.
SIGNED_METHOD_KEY = "netflix.signed_method"
FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"


@dataclass(frozen=True, slots=True)
class SignedRequest:
    """Everything a signature check needs, collected once per request."""

    method: str
    base_url: str
    raw_query: str
    query: tuple[Param, ...]
    header_and_body: tuple[Param, ...]
    oauth: dict[str, str]

    @property
    def params(self) -> tuple[Param, ...]:
        """Every signed parameter: header (oauth_* only), query and urlencoded body."""
        return self.header_and_body + self.query


def client_base_url(request: Request) -> str:
    """`scheme://host[:port]` as the client addressed this server."""
    scope = request.scope
    absolute = scope.get(ABSOLUTE_BASE_KEY)
    if absolute is not None:
        # An absolute-form request line names the URL the client signed; it wins over Host.
        scheme, authority = absolute
        return normalize_base_url(scheme, authority, "").rstrip("/")
    forwarded = request.headers.get("x-forwarded-proto", "")
    scheme = forwarded.split(",")[0].strip().lower() or str(scope.get("scheme", "http"))
    host = request.headers.get("host")
    if not host:
        server = scope.get("server")
        host = f"{server[0]}:{server[1]}" if server else "localhost"
    return normalize_base_url(scheme, host, "").rstrip("/")


def _raw_path(request: Request) -> str:
    raw = request.scope.get("raw_path")
    if isinstance(raw, bytes) and raw:
        return raw.decode("latin-1").partition("?")[0]
    path = str(request.scope.get("root_path", "")) + str(request.scope["path"])
    return quote(path, safe="/%:@!$&'()*+,;=-._~")


async def read_signed_request(request: Request) -> SignedRequest:
    """Collect header, query and urlencoded-body parameters and the URL the client signed."""
    header_params: list[Param] = []
    header = request.headers.get("authorization")
    if header:
        parsed = parse_authorization(header)
        if parsed is not None:
            header_params = [(k, v) for k, v in parsed if k.startswith("oauth_")]
    raw_query = request.scope.get("query_string", b"").decode("latin-1")
    query = parse_form(raw_query)
    body: list[Param] = []
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == FORM_MEDIA_TYPE:
        body = parse_form((await request.body()).decode("latin-1"))
    oauth: dict[str, str] = {}
    for name, value in (*header_params, *query, *body):
        if name.startswith("oauth_"):
            oauth.setdefault(name, value)
    method = str(request.scope.get(SIGNED_METHOD_KEY, request.method))
    path = _raw_path(request)
    base = client_base_url(request)
    scheme, _, host = base.partition("://")
    return SignedRequest(
        method=method,
        base_url=normalize_base_url(scheme, host, path),
        raw_query=raw_query,
        query=tuple(query),
        header_and_body=(*header_params, *body),
        oauth=oauth,
    )
