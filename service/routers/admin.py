"""Operator endpoints, behind a bearer admin token; absent (404) when no token is configured."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, field_validator

from service.catalog_reads import PURGE_GROUPS
from service.deps import CacheDep, FrontDep, SettingsDep
from service.errors import PROBLEM_RESPONSES, Forbidden, InvalidSession, NotFound
from service.schemas.patterns import CACHE_GROUP

router = APIRouter(prefix="/v1/admin", tags=["admin"], responses=PROBLEM_RESPONSES)


_admin_scheme = HTTPBearer(
    auto_error=False, scheme_name="admin", description="The operator token set in NFX_ADMIN_TOKEN."
)


async def require_admin(
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_admin_scheme)],
) -> None:
    """Let the request through only with the configured admin token (compared in constant time).

    No token: 401 with `WWW-Authenticate: Bearer`; a wrong one: 403.
    """
    if settings.admin_token is None:
        raise NotFound("admin endpoints are disabled (NFX_ADMIN_TOKEN is not set)")
    if credentials is None or not credentials.credentials:
        raise InvalidSession(
            "this endpoint needs the admin token: send `Authorization: Bearer <NFX_ADMIN_TOKEN>`"
        )
    given = credentials.credentials.encode()
    expected = settings.admin_token.get_secret_value().encode()
    if not hmac.compare_digest(given, expected):
        raise Forbidden("an admin bearer token is required for this endpoint")


class PurgeRequest(BaseModel):
    """Which cached answers to drop."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    prefix: str | None = Field(
        None,
        max_length=100,
        pattern=CACHE_GROUP.regex,
        description="A cache group: "
        + ", ".join(f"`{group}`" for group in PURGE_GROUPS)
        + "; omitted: every cached catalog answer.",
        examples=["titles.search"],
    )

    @field_validator("prefix")
    @classmethod
    def _declared_group(cls, prefix: str | None) -> str | None:
        if prefix is not None and prefix not in PURGE_GROUPS:
            raise ValueError(f"unknown cache group; choose from {', '.join(PURGE_GROUPS)}")
        return prefix


class PurgeResult(BaseModel):
    """How many cached answers were dropped."""

    model_config = ConfigDict(frozen=True)

    purged: int = Field(description="Entries removed from the shared cache.")
    purged_local: int = Field(
        description="Entries removed from this replica's front tier "
        "(other replicas' front entries expire within "
        "seconds)."
    )


@router.post(
    "/cache/purge",
    operation_id="purge_cache",
    response_model=PurgeResult,
    summary="Purge cached catalog answers",
    description="Drops cached catalog answers, all of them or one group, so the next reads go "
    "upstream. Needs `Authorization: Bearer <NFX_ADMIN_TOKEN>`: 401 without a token, 403 "
    "with a wrong one, 404 when no admin token is configured.",
    dependencies=[Depends(require_admin)],
)
async def purge_cache(
    cache: CacheDep, front: FrontDep, body: PurgeRequest | None = None
) -> PurgeResult:
    """Purge the shared cache and this replica's front tier."""
    group = body.prefix if body is not None else None
    purged = await cache.purge(group)
    return PurgeResult(purged=purged, purged_local=front.clear(group))
