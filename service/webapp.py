"""The web app for people: static files served at `/` and under `/web/`.

The page is plain HTML, CSS and JavaScript modules (no build step) that use only the public
JSON API of the same origin. Its one route and one mount leave the API, `/docs`,
`/openapi.json` and the probes alone: anything else still gets the API's problem documents.
"""

from __future__ import annotations

import os
from importlib.resources import files
from os import PathLike
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response
from starlette.types import Scope

APP_URL = "/"
ASSETS_URL = "/web"
WEB_DIR = Path(str(files("service") / "web"))
# Scripts, styles and API calls only from this origin; box art may come from image hosts.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' http: https: data:; script-src 'self'; "
    "style-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'"
)
PAGE_HEADERS = {
    "Cache-Control": "no-cache",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


class _Assets(StaticFiles):
    """Static files that browsers revalidate (no build step, so no hashed names)."""

    def file_response(
        self,
        full_path: PathLike[str] | str,
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = "no-cache"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


def install_web_app(app: FastAPI) -> None:
    """Serve the page at `/` and its scripts and styles under `/web/`."""
    app.mount(ASSETS_URL, _Assets(directory=WEB_DIR), name="web")

    @app.get(APP_URL, include_in_schema=False)
    async def web_app() -> FileResponse:
        return FileResponse(WEB_DIR / "index.html", headers=PAGE_HEADERS)
