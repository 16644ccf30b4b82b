"""The smallest FastAPI app answering fixed bytes: what the proxy's hits are compared with.

`BENCH_BODY_FILE` names the file whose bytes `GET /title` returns as JSON.
"""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import Response

BODY = Path(os.environ.get("BENCH_BODY_FILE", os.devnull)).read_bytes()

app = FastAPI()


@app.get("/title")
async def title() -> Response:
    """The fixed answer."""
    return Response(BODY, media_type="application/json")
