"""Liveness and readiness probes for orchestrators and load balancers."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from service.deps import RuntimeDep
from service.probes import store_answers, upstream_answers
from service.responses import OrjsonResponse

router = APIRouter(tags=["health"])


class Liveness(BaseModel):
    """The process answers."""

    model_config = ConfigDict(frozen=True)

    status: str = "ok"


class Readiness(BaseModel):
    """Whether this replica can serve: its store and its upstream both answer."""

    model_config = ConfigDict(frozen=True)

    status: str = Field(description="`ready` or `unready`.")
    redis: bool = Field(description="The store answered PING.")
    upstream: bool = Field(description="The upstream answered HTTP (any status).")


@router.get(
    "/healthz",
    operation_id="check_liveness",
    response_model=Liveness,
    summary="Liveness probe",
    description="Always 200 while the process serves requests; checks nothing else.",
)
async def check_liveness() -> Liveness:
    """The process is alive."""
    return Liveness()


@router.get(
    "/readyz",
    operation_id="check_readiness",
    response_model=Readiness,
    summary="Readiness probe",
    description="200 when Redis answers PING and the upstream answers HTTP; 503 (with "
    "the same body) otherwise, so a load balancer stops routing here.",
    responses={503: {"model": Readiness, "description": "Not ready."}},
)
async def check_readiness(runtime: RuntimeDep) -> Response:
    """Probe the store and the upstream concurrently, each within a short timeout."""
    redis_ok, upstream_ok = await asyncio.gather(
        store_answers(runtime.redis),
        upstream_answers(runtime.http, runtime.settings.upstream_base_url),
    )
    body = Readiness(
        status="ready" if redis_ok and upstream_ok else "unready",
        redis=redis_ok,
        upstream=upstream_ok,
    )
    return OrjsonResponse(body.model_dump(), status_code=200 if body.status == "ready" else 503)
