"""Sign-in: the upstream's request token, and the proxy's sign-in and session documents."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from service.schemas.common import RequestBody, Schema
from service.schemas.patterns import RETURN_TO

MAX_URL_LENGTH = 2000
MAX_TOKEN_LENGTH = 500


class RequestToken(Schema):
    """A temporary token; its secret stays in the proxy's store, never reaches a client."""

    token: str
    secret: str = Field(repr=False)
    login_url: str
    application_name: str | None = None


class SignInStart(RequestBody):
    """Where to send the subscriber once the sign-in is done (optional)."""

    return_to: str | None = Field(
        None,
        max_length=MAX_URL_LENGTH,
        pattern=RETURN_TO.regex,
        description="Absolute URL under one of the configured allowed return URLs (403 "
        "otherwise), without a fragment. When given, the callback answers 303 to it once the "
        "login page is done.",
    )


class SignInLink(Schema):
    """The upstream login page to send the subscriber to, and what the app needs to finish."""

    login_url: str = Field(description="Open this in the subscriber's browser.")
    expires_in: int = Field(description="Seconds this sign-in stays valid.")
    sign_in_id: str = Field(description="Names this sign-in in `POST /v1/auth/session`.")
    sign_in_secret: str = Field(
        description="Shown once: keep it in the app (never in a URL) and present it to "
        "`POST /v1/auth/session`; without it nobody can turn this sign-in into a session."
    )


class SignInClaim(RequestBody):
    """An app-started sign-in to turn into a session."""

    sign_in_id: str = Field(min_length=1, max_length=MAX_TOKEN_LENGTH)
    sign_in_secret: str = Field(min_length=1, max_length=MAX_TOKEN_LENGTH, repr=False)


class SignInDone(Schema):
    """The callback's answer to an app-started sign-in: the app now claims the session."""

    status: Literal["complete"] = "complete"
    detail: str = "Sign-in complete: return to the app that started it."


class SessionGrant(Schema):
    """A proxy session: send `Authorization: Bearer <session_token>` on user endpoints."""

    session_token: str
    user_id: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - an OAuth token type, not a secret
    expires_in: int = Field(description="Seconds until the session expires.")


class TokenImport(RequestBody):
    """An access token pair obtained elsewhere (long-lived, as the upstream issued them)."""

    access_token: str = Field(min_length=1, max_length=MAX_TOKEN_LENGTH)
    access_token_secret: str = Field(min_length=1, max_length=MAX_TOKEN_LENGTH, repr=False)


class WhoAmI(Schema):
    """The subscriber behind a session."""

    user_id: str
    session_expires_in: int | None = Field(
        description="Seconds until the session expires; null if unknown."
    )
    session_expires_at: datetime | None = Field(
        description="When the session expires (UTC); null if unknown."
    )
