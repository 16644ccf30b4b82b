"""Fixtures shared by the in-process API tests."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from service.log_format import JsonFormatter, RequestIdFilter


@pytest.fixture
def request_log() -> Iterator[io.StringIO]:
    """The request log as `netflix-proxy serve --log-format json` writes it, kept in memory."""
    lines = io.StringIO()
    handler = logging.StreamHandler(lines)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("service.requests")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield lines
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
