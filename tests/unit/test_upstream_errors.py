"""Upstream error answers (status documents, Netflix JSON, gateway text) -> service errors."""

from __future__ import annotations

import time

import pytest

from service.errors import (
    AlreadyInQueue,
    BadUpstream,
    Conflict,
    InvalidInput,
    InvalidSession,
    NotFound,
    RateLimited,
    ServiceError,
    StaleEtag,
    UnknownTitle,
    UpstreamThrottled,
    UpstreamTimeout,
)
from service.netflix.errors import raise_for_status, read_status
from service.netflix.signing import Security
from tests.support.samples import sample_path

XML = {"content-type": "application/xml;charset=UTF-8"}
JSON = {"content-type": "application/json;charset=UTF-8"}


def _xml(code: int, message: str, sub_code: int | None = None) -> bytes:
    sub = f"<sub_code>{sub_code}</sub_code>" if sub_code is not None else ""
    return (
        f'<?xml version="1.0" standalone="yes"?>\n<status><status_code>{code}</status_code>'
        f"{sub}<message>{message}</message></status>"
    ).encode()


def _raised(
    status: int, headers: dict[str, str], body: bytes, *, user_call: bool = True
) -> ServiceError:
    security = Security.PROTECTED if user_call else Security.SIGNED
    with pytest.raises(ServiceError) as caught:
        raise_for_status(read_status(status, headers, body), security=security, subject="title")
    return caught.value


@pytest.mark.parametrize(
    ("status", "sub", "expected"),
    [
        (404, None, NotFound),
        (404, 610, NotFound),
        (412, 710, AlreadyInQueue),
        (412, None, StaleEtag),
        (400, 130, UnknownTitle),
        (400, 620, Conflict),
        (400, 650, Conflict),
        (400, 690, Conflict),
        (400, 120, InvalidInput),
        (400, None, InvalidInput),
        (500, None, BadUpstream),
        (503, None, BadUpstream),
        (504, None, UpstreamTimeout),
    ],
)
def test_status_documents_map_to_service_errors(
    status: int, sub: int | None, expected: type[ServiceError]
) -> None:
    error = _raised(status, XML, _xml(status, "some message", sub))
    assert type(error) is expected
    assert error.upstream_status == status
    assert error.upstream_sub_code == sub


def test_stale_etag_is_a_conflict_and_already_in_queue_is_not_stale() -> None:
    assert isinstance(_raised(412, XML, _xml(412, "Precondition failed")), Conflict)
    assert not isinstance(_raised(412, XML, _xml(412, "x", 710)), StaleEtag)


def test_not_in_queue_and_title_not_found_say_so() -> None:
    assert "not in the queue" in _raised(404, XML, _xml(404, "Title is not in Queue", 610)).detail
    assert _raised(404, XML, _xml(404, "Resource not found")).detail == "title not found"


def test_unknown_titles_in_a_title_list_are_not_found() -> None:
    # The proxy sends only well-formed refs, so Netflix refusing them means it lacks a title.
    error = _raised(400, XML, _xml(400, "title_refs is invalid"))
    assert type(error) is UnknownTitle and error.status == 404
    # A rating of a title Netflix does not know names the one `title_ref`.
    one = _raised(400, XML, _xml(400, "title_ref is invalid"))
    assert type(one) is UnknownTitle and "does not know the title" in one.detail
    assert type(_raised(400, XML, _xml(400, "max_results is invalid"))) is InvalidInput


def test_401_on_a_user_call_is_an_invalid_session() -> None:
    error = _raised(401, XML, _xml(401, "Access Token Validation Failed"))
    assert isinstance(error, InvalidSession)
    assert "access token was rejected" in error.detail


def test_401_or_403_on_a_consumer_call_is_a_misconfigured_proxy() -> None:
    assert type(_raised(401, XML, _xml(401, "Invalid Signature"), user_call=False)) is BadUpstream
    assert type(_raised(403, XML, _xml(403, "Forbidden"), user_call=False)) is BadUpstream


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        (
            {"content-type": "text/plain", "X-Mashery-Error-Code": "ERR_403_DEVELOPER_OVER_QPS"},
            b"Account Over Queries Per Second Limit",
        ),
        (XML, _xml(403, "Service is over queries per second limit")),
    ],
)
def test_over_qps_403_is_back_pressure(headers: dict[str, str], body: bytes) -> None:
    error = _raised(403, headers, body)
    assert isinstance(error, UpstreamThrottled)
    assert error.retry_after == 1.0
    assert error.headers["Retry-After"] == "1"


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        (
            {"content-type": "text/plain", "X-Mashery-Error-Code": "ERR_403_DEVELOPER_OVER_RATE"},
            b"Account Over Rate Limit",
        ),
        (XML, _xml(403, "Over queries per day limit")),
    ],
)
def test_over_daily_403_waits_for_the_next_utc_day(headers: dict[str, str], body: bytes) -> None:
    before = time.time()
    error = _raised(403, headers, body)
    assert isinstance(error, RateLimited) and not isinstance(error, UpstreamThrottled)
    midnight = (before // 86_400 + 1) * 86_400
    assert error.retry_after == pytest.approx(midnight - before, abs=5.0)
    assert int(error.headers["Retry-After"]) >= 1


def test_json_status_documents_are_understood() -> None:
    body = b'{"status": {"status_code": "412", "sub_code": "710", "message": "Title is already"}}'
    assert isinstance(_raised(412, JSON, body), AlreadyInQueue)


@pytest.mark.parametrize("user_call", [True, False])
def test_gateway_timestamp_401_is_reported_as_clock_skew(user_call: bool) -> None:
    headers = {"content-type": "text/plain", "X-Mashery-Error-Code": "ERR_401_TIMESTAMP_IS_INVALID"}
    error = _raised(401, headers, b"Timestamp Is Invalid", user_call=user_call)
    assert type(error) is BadUpstream
    assert error.status == 502
    assert "clock" in error.detail
    assert "consumer credentials" not in error.detail


def test_other_consumer_401s_still_blame_the_credentials() -> None:
    error = _raised(401, {"content-type": "text/plain"}, b"Invalid consumer key", user_call=False)
    assert type(error) is BadUpstream
    assert "consumer credentials" in error.detail


@pytest.mark.parametrize(
    "body", [b"", b"<html><body>Bad gateway</body>", b"\x00\xff{", b"<status><message>cut"]
)
def test_unreadable_error_bodies_still_map_by_http_status(body: bytes) -> None:
    assert type(_raised(502, {"content-type": "text/html"}, body)) is BadUpstream
    assert isinstance(_raised(404, XML, body), NotFound)


def test_recorded_error_samples_map_as_documented() -> None:
    not_in_queue = sample_path("status", "json-404-title-not-in-queue-sub610-dholdren.json")
    error = _raised(404, JSON, not_in_queue.read_bytes())
    assert isinstance(error, NotFound)
    assert error.upstream_sub_code == 610
    text = sample_path("status", "text-401-timestamp-is-invalid-mashery-cheald.txt").read_bytes()
    headers = {"content-type": "text/plain", "X-Mashery-Error-Code": "ERR_401_TIMESTAMP_IS_INVALID"}
    assert type(_raised(401, headers, text)) is BadUpstream
    deprecated = sample_path("status", "json-api-host-deprecated-pyflix2-issue8.json")
    status = read_status(404, JSON, deprecated.read_bytes())
    assert status.status_code is None
    assert "deprecated" in status.message
