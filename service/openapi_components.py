"""Additions to the OpenAPI document that FastAPI cannot infer from route signatures.

FastAPI lists only the models it meets in route signatures; problem documents and the NDJSON
index lines are written by hand, so their schemas are added to the components here, and
headers set outside the routes (rate limits) are declared through `extend_openapi`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode


def extend_openapi(app: FastAPI, edit: Callable[[dict[str, Any]], None]) -> None:
    """Run `edit` on `app`'s OpenAPI document once, when it is first built."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = build()
        edit(schema)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def declare_component(
    app: FastAPI, model: type[BaseModel], *, mode: JsonSchemaMode = "validation"
) -> None:
    """Add `model`, and the models it refers to, to the components of `app`'s document.

    A name FastAPI already declared keeps FastAPI's schema.
    """

    def add(schema: dict[str, Any]) -> None:
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        extra = model.model_json_schema(ref_template="#/components/schemas/{model}", mode=mode)
        for name, definition in extra.pop("$defs", {}).items():
            components.setdefault(name, definition)
        components.setdefault(model.__name__, extra)

    extend_openapi(app, add)
