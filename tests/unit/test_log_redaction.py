"""The log filter: credentials in query strings, headers and free text never reach a log line."""

from __future__ import annotations

import logging

import pytest

from service.log_redaction import REDACTED, RedactingFilter, redact

TOKEN = "Zr9cS0b3bQx1p2m7Vd8kHq4Lw6Tn5Yf0Ue3Ij2Og1Pa"  # shaped like token_urlsafe(32)


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("GET /v1/auth/callback?oauth_token=abc123&oauth_verifier=v3r1f HTTP/1.1", "abc123"),
        ("GET /v1/auth/callback?oauth_token=abc123&oauth_verifier=v3r1f HTTP/1.1", "v3r1f"),
        ("https://app.example/cb#session_token=s3ss10n&user_id=7", "s3ss10n"),
        ("Authorization: Bearer s3ss10n-bearer", "s3ss10n-bearer"),
        ("/x?access_token%3Dleaked", "leaked"),
        (f"dropping session {TOKEN} now", TOKEN),
    ],
)
def test_credentials_are_redacted(text: str, secret: str) -> None:
    cleaned = redact(text)
    assert secret not in cleaned
    assert REDACTED in cleaned


def test_ordinary_text_is_kept() -> None:
    line = 'GET /v1/titles?term=jurassic&page_size=5 HTTP/1.1" 200 user_id=7'
    assert redact(line) == line


def test_the_filter_keeps_argument_types_for_formatters() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/v1/auth/callback?oauth_token=abc123", "1.1", 200),
        None,
    )
    assert RedactingFilter().filter(record)
    assert isinstance(record.args, tuple)
    assert record.args[4] == 200
    assert "abc123" not in record.getMessage()
