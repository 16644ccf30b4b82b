"""JSON log lines: request fields as members, ids stamped, the redaction filter still applied."""

from __future__ import annotations

import json
import logging
import secrets

from service import log_redaction, request_context
from service.log_format import JsonFormatter, RequestIdFilter


def written(logger: logging.Logger, message: str, *args: object) -> dict[str, object]:
    """The JSON object one record becomes, through the filter and formatter `serve` uses."""
    log_redaction.install()
    record = logger.makeRecord(logger.name, logging.INFO, __file__, 1, message, args, None)
    RequestIdFilter().filter(record)
    line: dict[str, object] = json.loads(JsonFormatter().format(record))
    return line


def test_request_fields_are_members_and_credentials_in_them_are_redacted() -> None:
    token = secrets.token_urlsafe(32)
    fields = {"route": "/v1/auth/callback", "status": 200, "note": f"oauth_token={token}"}
    line = written(logging.getLogger("service.requests"), "%(route)s %(status)s", fields)
    assert line["route"] == "/v1/auth/callback"
    assert line["status"] == 200  # types kept
    assert line["message"] == "/v1/auth/callback 200"
    assert token not in json.dumps(line)
    assert "request_id" not in line  # outside a request


def test_the_request_id_is_stamped_and_a_client_chosen_token_like_one_is_redacted() -> None:
    made = request_context.new_record(None)
    token = request_context.enter(made)
    try:
        assert written(logging.getLogger("service"), "inside")["request_id"] == made.request_id
    finally:
        request_context.leave(token)
    chosen = secrets.token_urlsafe(32)
    offered = request_context.new_record(chosen.encode())
    assert offered.request_id == chosen and not offered.generated
    token = request_context.enter(offered)
    try:
        line = written(logging.getLogger("service"), "inside")
    finally:
        request_context.leave(token)
    assert line["request_id"] == log_redaction.REDACTED
