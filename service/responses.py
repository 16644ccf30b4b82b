"""JSON rendering with orjson: one response class for every JSON answer of the service."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import JSONResponse

NDJSON_MEDIA_TYPE = "application/x-ndjson"


class OrjsonResponse(JSONResponse):
    """A JSONResponse rendered by orjson (UTC datetimes, non-str keys, numpy-free fast path)."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)
