"""JSON rendering with orjson: one response class for every JSON answer of the service."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from pydantic import BaseModel
from starlette.responses import JSONResponse, Response

NDJSON_MEDIA_TYPE = "application/x-ndjson"


class OrjsonResponse(JSONResponse):
    """A JSONResponse rendered by orjson (UTC datetimes, non-str keys, numpy-free fast path)."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)


# Answers of writes: never stored anywhere.
PRIVATE = "private, no-store"
# Answers of a subscriber's reads: no shared cache may store them, and the subscriber's own
# client must ask again before reusing one (so a read right after a write shows it).
PRIVATE_READ = "private, no-cache"


def private_json(
    model: BaseModel, status_code: int = 200, headers: Mapping[str, str] | None = None
) -> OrjsonResponse:
    """A model as a JSON answer marked private (user data: never in a shared cache), for
    handlers that build their `Response` themselves (to store and replay it)."""
    return OrjsonResponse(
        model.model_dump(mode="json", by_alias=True),
        status_code=status_code,
        headers={**(headers or {}), "Cache-Control": PRIVATE},
    )


def private_empty(status_code: int = 204) -> Response:
    """An empty answer marked private."""
    return Response(status_code=status_code, headers={"Cache-Control": PRIVATE})
