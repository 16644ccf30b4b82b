"""Sign-in: the OAuth request token the upstream hands out before the subscriber logs in."""

from __future__ import annotations

from pydantic import Field

from service.schemas.common import Schema


class RequestToken(Schema):
    """A temporary token; its secret stays in the proxy's store, never reaches a client."""

    token: str
    secret: str = Field(repr=False)
    login_url: str
    application_name: str | None = None
