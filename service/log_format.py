"""How `netflix-proxy serve` writes logs: one JSON object per line (or plain text), with ids.

`logging_config` is the `logging.config.dictConfig` document handed to uvicorn, which applies
it in every worker: uvicorn's own access log is off (the app writes one line per request on
`service.requests`, see `service.request_layer`), uvicorn's server messages and the app's
loggers go to stdout through one handler. `RequestIdFilter` stamps the current request's id
on every record written while a request runs (a client-chosen id passes through
`log_redaction.redact` like everything else a client sends). `JsonFormatter` writes the
record's message and, for the request log, its fields; the fields are the record's mapping
arguments, so the redaction filter (`service.log_redaction`, on the record factory) has
already cleaned them like any other argument.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal

import orjson

from service import request_context
from service.log_redaction import redact

LogFormat = Literal["json", "text"]
LOG_FORMATS: tuple[LogFormat, ...] = ("json", "text")
_TEXT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


class RequestIdFilter(logging.Filter):
    """Sets `record.request_id` to the id of the request being served ("-" outside one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        current = request_context.current()
        if current is None:
            record.request_id = "-"
        else:
            record.request_id = (
                current.request_id if current.generated else redact(current.request_id)
            )
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, request id, request fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", "-")
        if request_id != "-":
            line["request_id"] = request_id
        if isinstance(record.args, Mapping):
            for key, value in record.args.items():
                line.setdefault(str(key), value)
        if record.exc_info:
            line["error"] = redact(self.formatException(record.exc_info))
        return orjson.dumps(line, default=str).decode()


def logging_config(log_format: LogFormat, level: str) -> dict[str, Any]:
    """The dictConfig document: uvicorn's and the app's loggers on stdout, in `log_format`."""
    formatter: dict[str, Any] = (
        {"()": f"{__name__}.JsonFormatter"} if log_format == "json" else {"format": _TEXT}
    )
    handler = {"handlers": ["stdout"], "level": level.upper(), "propagate": False}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": f"{__name__}.RequestIdFilter"}},
        "formatters": {"default": formatter},
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": "default",
                "filters": ["request_id"],
            }
        },
        "loggers": {
            "uvicorn": handler,
            "uvicorn.error": {"level": level.upper()},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            "service": handler,
            "emulator": handler,
        },
    }
