"""Wire helpers shared by every emulator resource: output negotiation and status documents."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import Response

from emulator.document import Node, el, render_json, render_xml

XML_MEDIA_TYPE = "application/xml;charset=UTF-8"
JSON_MEDIA_TYPE = "application/json;charset=UTF-8"


class NetflixError(Exception):
    """An API failure answered as Netflix did: a `status` document with the HTTP code mirrored."""

    def __init__(
        self,
        status_code: int,
        message: str,
        sub_code: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.sub_code = sub_code
        self.headers = dict(headers or {})


def wants_json(request: Request) -> bool:
    """`output=json` selects Netflix's JSON rendering; XML is the default."""
    return request.query_params.get("output", "").lower() == "json"


def respond(
    request: Request, node: Node, status_code: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    """Render a document in the format the caller asked for."""
    if wants_json(request):
        return Response(render_json(node), status_code, dict(headers or {}), JSON_MEDIA_TYPE)
    return Response(render_xml(node), status_code, dict(headers or {}), XML_MEDIA_TYPE)


def status_document(
    status_code: int, message: str, sub_code: int | None = None, *extra: Node
) -> Node:
    """Netflix's `status` document, used for errors and for write results."""
    node = el("status", None, el("status_code", status_code))
    if sub_code is not None:
        node.add(el("sub_code", sub_code))
    node.add(el("message", message))
    node.extend(extra)
    return node


def error_response(request: Request, error: NetflixError) -> Response:
    """Answer a NetflixError as a status document."""
    return respond(
        request,
        status_document(error.status_code, error.message, error.sub_code),
        error.status_code,
        error.headers,
    )
