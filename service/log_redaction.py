"""Keep tokens out of logs: one filter redacts secrets from every log record of the process.

Request tokens and verifiers arrive in the callback's query string, which uvicorn's access log
writes verbatim; session tokens travel in headers and URL fragments. `install()` puts
`RedactingFilter` on the record factory, so every record is cleaned when it is created,
whatever logger emits it and whichever handler writes it (uvicorn's, the root's, a test's).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

REDACTED = "[redacted]"
# Parameters named like a credential: oauth_token, oauth_verifier, session_token, secret...
_PARAM = re.compile(
    r"(?P<name>[\w.-]*(?:token|verifier|secret|signature|password|key|code)[\w.-]*)"
    r"(?P<sep>=|%3D)(?P<value>[^&\s#\"']+)",
    re.IGNORECASE,
)
_BEARER = re.compile(r"(?P<name>Bearer|OAuth)\s+(?P<value>[^\s,\"']+)", re.IGNORECASE)
# Anything shaped like a random token (`secrets.token_urlsafe(32)` is 43 characters).
_TOKEN_LIKE = re.compile(r"(?<![\w-])[A-Za-z0-9_-]{32,}(?![\w-])")


def redact(text: str) -> str:
    """`text` with credential parameters, bearer credentials and token-like strings replaced.

    The first two patterns backtrack over every run of word characters, so they run only on
    text that has what they need (`=` or `%3D`; `Bearer` or `OAuth`): a log line per request
    must stay cheap.
    """
    lowered = text.lower()
    if "=" in text or "%3d" in lowered:
        text = _PARAM.sub(lambda m: f"{m['name']}{m['sep']}{REDACTED}", text)
    if "bearer" in lowered or "oauth" in lowered:
        text = _BEARER.sub(lambda m: f"{m['name']} {REDACTED}", text)
    return _TOKEN_LIKE.sub(REDACTED, text)


def _clean(value: Any) -> Any:
    return redact(value) if isinstance(value, str) else value


class RedactingFilter(logging.Filter):
    """Redacts a record's message and string arguments in place (types kept for formatters)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_clean(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _clean(arg) for key, arg in record.args.items()}
        return True


_FILTER = RedactingFilter()
_installed = False


def install() -> None:
    """Redact every log record of this process from now on (idempotent)."""
    global _installed
    if _installed:
        return
    make: Callable[..., logging.LogRecord] = logging.getLogRecordFactory()

    def redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make(*args, **kwargs)
        _FILTER.filter(record)
        return record

    logging.setLogRecordFactory(redacting_factory)
    _installed = True
