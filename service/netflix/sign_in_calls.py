"""Sign-in calls of the Netflix client: the OAuth token dance and whose token it is."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from service.errors import BadUpstream
from service.netflix.normalize import users
from service.netflix.params import USER_ID
from service.netflix.signing import Security
from service.netflix.transport import AccessToken, AuthorizedRequestToken, Call, Upstream
from service.schemas.auth import RequestToken


class SignInCalls:
    """The sign-in part of `NetflixClient` (which sets `_upstream` and `_consumer_key`)."""

    _upstream: Upstream
    _consumer_key: str

    async def request_token(self, *, callback: str) -> RequestToken:
        """Start sign-in: a request token and the URL where the subscriber logs in."""
        body = await self._upstream.raw(
            Call(
                "GET",
                "/oauth/request_token",
                callback=callback,
                negotiate=False,
                subject="request token",
            )
        )
        values = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        token, secret = values.get("oauth_token"), values.get("oauth_token_secret")
        login_url = values.get("login_url")
        if not token or not secret or not login_url:
            raise BadUpstream("Netflix answered an incomplete request token")
        app_name = values.get("application_name")
        return RequestToken(
            token=token,
            secret=secret,
            application_name=app_name,
            login_url=self._login_url(login_url, token, app_name, callback),
        )

    def _login_url(self, login_url: str, token: str, app_name: str | None, callback: str) -> str:
        """Netflix's login URL with what its login page needs (added only when missing)."""
        parts = urlsplit(login_url)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise BadUpstream("Netflix answered an unusable login URL")
        query = parse_qsl(parts.query, keep_blank_values=True)
        present = {k for k, _ in query}
        wanted = [
            ("oauth_token", token),
            ("oauth_consumer_key", self._consumer_key),
            ("application_name", app_name),
            ("oauth_callback", callback),
        ]
        query += [(k, v) for k, v in wanted if v is not None and k not in present]
        return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))

    async def access_token(
        self, request_token: str, request_secret: str, verifier: str | None
    ) -> tuple[AccessToken, str]:
        """Finish sign-in: trade the authorized request token for an access token."""
        body = await self._upstream.raw(
            Call(
                "GET",
                "/oauth/access_token",
                security=Security.PROTECTED,
                token=AuthorizedRequestToken(request_token, request_secret),
                verifier=verifier,
                negotiate=False,
                subject="request token",
            )
        )
        values = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        token, secret = values.get("oauth_token"), values.get("oauth_token_secret")
        user_id = values.get("user_id")
        if not token or not secret or not user_id or not USER_ID.fullmatch(user_id):
            raise BadUpstream("Netflix answered an incomplete access token")
        return AccessToken(token, secret), user_id

    async def current_user_id(self, token: AccessToken) -> str:
        """Whose token this is (also how an imported token pair is checked)."""
        answer = await self._upstream.document(
            Call("GET", "/users/current", security=Security.PROTECTED, token=token)
        )
        return users.current_user_id(answer.doc)
