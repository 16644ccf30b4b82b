"""Wire helpers shared by every emulator resource: parameters, output, status documents."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import Response

from emulator.document import Node, el, render_json, render_xml

MAX_RESULTS_MESSAGE = "Query parameter max_results must be a positive integer."
MAX_RESULTS_SUB_CODE = 120
# Page parameters longer than this are not numbers any client meant.
_PAGE_DIGITS = 30
XML_MEDIA_TYPE = "application/xml;charset=UTF-8"
JSON_MEDIA_TYPE = "application/json;charset=UTF-8"


class NetflixError(Exception):
    """An API failure answered as Netflix did: a `status` document with the HTTP code mirrored.

    `gateway` failures were answered by Mashery, the gateway in front of the API, before
    Netflix saw the request: a `text/plain` message with an `X-Mashery-Error-Code` header.
    """

    def __init__(
        self,
        status_code: int,
        message: str,
        sub_code: int | None = None,
        headers: Mapping[str, str] | None = None,
        *,
        gateway: bool = False,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.sub_code = sub_code
        self.headers = dict(headers or {})
        self.gateway = gateway


def timestamp_refused() -> NetflixError:
    """Mashery's refusal of a stale or unreadable `oauth_timestamp`, as the recording shows."""
    return NetflixError(
        401,
        "Timestamp Is Invalid",
        headers={"X-Mashery-Error-Code": "ERR_401_TIMESTAMP_IS_INVALID"},
        gateway=True,
    )


def parse_digits(raw: str, max_digits: int = 12) -> int | None:
    """A plain decimal of at most `max_digits` ASCII digits, else None; never raises.

    `str.isdigit` admits characters such as superscripts that `int` rejects, and `int`
    refuses very long strings, so client input is checked here before it is converted.
    """
    if not 0 < len(raw) <= max_digits or not raw.isascii() or not raw.isdigit():
        return None
    return int(raw)


def read_page(query: Mapping[str, str], *, default: int, limit: int) -> tuple[int, int]:
    """`(start_index, max_results)` of a collection: 0-based offset and page size (clamped).

    Only plain decimals are read, blanks around them ignored; anything else, an empty value
    included, is Netflix's 400 (sub_code 120 for `max_results`).
    """
    start_index, max_results = 0, default
    raw_max = query.get("max_results")
    if raw_max is not None:
        max_results = parse_digits(raw_max.strip(), _PAGE_DIGITS) or 0
        if max_results < 1:
            raise NetflixError(400, MAX_RESULTS_MESSAGE, MAX_RESULTS_SUB_CODE)
    raw_start = query.get("start_index")
    if raw_start is not None:
        parsed = parse_digits(raw_start.strip(), _PAGE_DIGITS)
        if parsed is None:
            raise NetflixError(400, "start_index is invalid")
        start_index = parsed
    return start_index, min(max_results, limit)


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
    """Answer a NetflixError as a status document (gateway refusals as Mashery's plain text)."""
    if error.gateway:
        headers = {**error.headers, "Content-Type": "text/plain"}
        return Response(error.message, error.status_code, headers)
    return respond(
        request,
        status_document(error.status_code, error.message, error.sub_code),
        error.status_code,
        error.headers,
    )
