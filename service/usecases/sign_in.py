"""Sign-in: the OAuth 1.0a dance with the upstream, bound to whoever started it.

A sign-in starts with a request token from the upstream and the login page the subscriber
opens; the upstream then sends the subscriber's browser to `/v1/auth/callback`. Whoever holds
that callback URL must not be able to take the sign-in over, so each one is bound at start:

* started by an app (`POST /v1/auth/start`): the app receives a one-time `sign_in_secret`.
  The callback exchanges the request token and keeps the access token aside (the sign-in is
  then complete); only `claim` with the secret turns it into a session. A victim who opens an
  attacker's callback link completes the attacker's sign-in, and gets nothing from it.
* started by a browser link (`GET /v1/auth/start?redirect=true`): the browser receives a
  cookie, and only a callback carrying it gets the session.

The binding is checked before anything is consumed, and a failed exchange leaves the sign-in
in place, so a third party who learns a request token can neither finish nor cancel it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from service.errors import Forbidden, InvalidInput, InvalidSession, SignInPending
from service.netflix.client import AccessToken, NetflixClient
from service.schemas.auth import SessionGrant, SignInLink, WhoAmI
from service.settings import Settings
from service.store.sessions import RequestTokenStore, Session, SessionStore

CALLBACK_PATH = "/v1/auth/callback"
UNKNOWN_SIGN_IN = "unknown, used or expired sign-in; start again at /v1/auth/start"
OTHER_BROWSER = "this sign-in was started in another browser; start again here"
NOT_FINISHED = "the subscriber has not finished at the login page yet; retry shortly"
REJECTED_PAIR = "the access token pair was not accepted; check both values or sign in again"


@dataclass(frozen=True, slots=True)
class BrowserStart:
    """A browser-link sign-in: the login page, and the cookie that binds it to the browser."""

    login_url: str
    cookie: str


@dataclass(frozen=True, slots=True)
class Finished:
    """The callback's outcome: a session (browser-bound) or a completed app sign-in (None)."""

    grant: SessionGrant | None
    return_to: str | None


@dataclass(frozen=True, slots=True)
class SignIns:
    """The sign-in workflow over the upstream client and the two stores."""

    settings: Settings
    client: NetflixClient
    pending: RequestTokenStore
    sessions: SessionStore

    async def start_for_app(self, return_to: str | None) -> SignInLink:
        """Start a sign-in an app finishes with the one-time secret answered here."""
        app_secret = secrets.token_urlsafe(32)
        token, login_url = await self._begin(return_to, app_secret=app_secret)
        return SignInLink(
            login_url=login_url,
            expires_in=self.settings.request_token_ttl_s,
            sign_in_id=token,
            sign_in_secret=app_secret,
        )

    async def start_for_browser(self, return_to: str | None) -> BrowserStart:
        """Start a sign-in that only the browser given `cookie` can finish."""
        cookie = secrets.token_urlsafe(32)
        _, login_url = await self._begin(return_to, browser_cookie=cookie)
        return BrowserStart(login_url, cookie)

    async def finish(
        self, request_token: str, verifier: str | None, browser_cookie: str | None
    ) -> Finished:
        """The callback: exchange the request token if the caller may, then end the sign-in."""
        started = await self.pending.peek(request_token)
        if started is None or started.completed:
            raise InvalidSession(UNKNOWN_SIGN_IN)
        if not started.app_bound and not started.finished_by(browser_cookie):
            raise InvalidSession(OTHER_BROWSER)
        # Nothing is consumed before the upstream accepts the exchange: a bad verifier or an
        # outage leaves the sign-in for the real subscriber to finish or retry.
        access, user_id = await self.client.access_token(request_token, started.secret, verifier)
        if started.app_bound:
            if not await self.pending.complete(request_token, started, user_id, access):
                raise InvalidSession(UNKNOWN_SIGN_IN)
            return Finished(None, started.return_to)
        await self.pending.pop(request_token)
        return Finished(await self._open(user_id, access), started.return_to)

    async def claim(self, sign_in_id: str, sign_in_secret: str) -> SessionGrant:
        """Turn a completed app sign-in into a session, for the holder of its secret only."""
        started = await self.pending.peek(sign_in_id)
        if started is None or not started.claimed_by(sign_in_secret):
            raise InvalidSession(UNKNOWN_SIGN_IN)
        if not started.completed:
            raise SignInPending(NOT_FINISHED)
        taken = await self.pending.pop(sign_in_id)
        if taken is None or taken.user_id is None or taken.access is None:
            raise InvalidSession(UNKNOWN_SIGN_IN)  # claimed by a concurrent call
        return await self._open(taken.user_id, taken.access)

    async def import_pair(self, token: str, secret: str) -> SessionGrant:
        """Open a session for an access token pair the upstream accepts.

        Every refusal reads the same, so that the answer does not tell a known token with a
        wrong secret from an unknown token.
        """
        access = AccessToken(token, secret)
        try:
            user_id = await self.client.current_user_id(access)
        except InvalidSession:
            raise InvalidSession(REJECTED_PAIR) from None
        return await self._open(user_id, access)

    async def who_am_i(self, session: Session, bearer: str) -> WhoAmI:
        """The subscriber behind a session and when the session ends (null if unknown)."""
        remaining = await self.sessions.remaining_s(bearer)
        if remaining is None:
            return WhoAmI(user_id=session.user_id, session_expires_in=None, session_expires_at=None)
        expires_at = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=remaining)
        return WhoAmI(
            user_id=session.user_id, session_expires_in=remaining, session_expires_at=expires_at
        )

    async def _begin(
        self,
        return_to: str | None,
        *,
        app_secret: str | None = None,
        browser_cookie: str | None = None,
    ) -> tuple[str, str]:
        checked = self._checked_return_to(return_to)
        token = await self.client.request_token(
            callback=f"{self.settings.public_url}{CALLBACK_PATH}"
        )
        await self.pending.put(
            token.token,
            token.secret,
            self.settings.request_token_ttl_s,
            checked,
            browser_cookie=browser_cookie,
            app_secret=app_secret,
        )
        return token.token, token.login_url

    def _checked_return_to(self, return_to: str | None) -> str | None:
        """Accept a return URL only under a configured prefix (no open redirects)."""
        if return_to is None:
            return None
        if "#" in return_to:
            raise InvalidInput("return_to must not carry a fragment: the session goes there")
        if not self.settings.is_allowed_return_url(return_to):
            # Well formed, but this proxy's configuration does not allow it: a refusal.
            raise Forbidden(
                "return_to is not under an allowed return URL (NFX_ALLOWED_RETURN_URLS)"
            )
        return return_to

    async def _open(self, user_id: str, access: AccessToken) -> SessionGrant:
        return SessionGrant(
            session_token=await self.sessions.create(user_id, access),
            user_id=user_id,
            expires_in=self.settings.session_ttl_s,
        )
