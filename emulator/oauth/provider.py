"""The OAuth 1.0a provider: who is calling, at which of Netflix's three security levels.

Netflix answered failures with a `status` document; the messages here are the ones its status
table and its clients recorded ("Invalid Signature", ...). A bad timestamp was refused by the
Mashery gateway in front of the API, in plain text, as recorded.
Over-quota calls are refused here too (403), since quotas are counted per authenticated caller.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import unquote_plus, urlsplit

from starlette.requests import Request

from emulator.config import EmulatorConfig
from emulator.http import NetflixError, parse_digits, timestamp_refused
from emulator.limits import RateLimiter
from emulator.oauth.nonces import NonceCache
from emulator.oauth.signature import (
    base_string,
    hmac_sha1,
    lenient_base_strings,
    signatures_match,
)
from emulator.oauth.tokens import (
    AccessToken,
    RequestToken,
    TokenStore,
    demo_password,
    demo_token_pair,
)
from emulator.oauth.transport import SignedRequest, read_signed_request

if TYPE_CHECKING:
    from emulator.accounts.state import Accounts

MISSING_CONSUMER_KEY = "Missing Required Consumer Key"
INVALID_CONSUMER_KEY = "Invalid Consumer Key"
INVALID_SIGNATURE = "Invalid Signature"
INVALID_SIGNATURE_METHOD = "Unsupported Signature Method"
INVALID_NONCE = "Nonce Is Invalid"
REPLAYED_NONCE = "Nonce Has Already Been Used"
INVALID_VERSION = "Unsupported OAuth Version"
MISSING_ACCESS_TOKEN = "Missing Required Access Token"  # noqa: S105 - a message, not a secret
UNKNOWN_ACCESS_TOKEN = "Invalid Or Expired Token"  # noqa: S105 - a message, not a secret
ACCESS_TOKEN_MISMATCH = "Access Token Validation Failed"  # noqa: S105 - a message, not a secret
BAD_REQUEST_TOKEN = "Expired or bad request token"  # noqa: S105 - a message, not a secret
CONSUMER_KEY_MISMATCH = "Consumer key mismatch"
APPLICATION_NAME_MISMATCH = "Application name mismatch"
USER_MISMATCH = "User ID access token mismatch"
INVALID_USER = "User ID is invalid"
INVALID_CALLBACK = "oauth_callback is invalid"
AUTHORIZATION_FAILED = "Authorization failed"


@dataclass(frozen=True, slots=True)
class DemoLogin:
    """What a subscriber types on the sign-in page: published demo credentials."""

    user_id: str
    email: str
    password: str


class Level(enum.Enum):
    """Netflix's security levels, weakest first."""

    CONSUMER = "consumer"  # consumer key alone (autocomplete); a signature is checked if sent
    SIGNED = "signed"  # consumer key + HMAC-SHA1 signature (catalog)
    PROTECTED = "protected"  # signed with an access token (subscriber resources)


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller: always a consumer, plus a subscriber for token-signed calls."""

    consumer_key: str
    token: str | None
    user_id: str | None


def check_callback(callback: str | None) -> str | None:
    """A usable callback URL (http or https only), None for none/`oob`, 400 otherwise."""
    if callback is None or callback == "" or callback == "oob":
        return None
    parts = urlsplit(callback)
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        raise NetflixError(400, INVALID_CALLBACK)
    return callback


class OAuthProvider:
    """Verifies signed requests and runs the token dance for one emulator instance."""

    def __init__(
        self, config: EmulatorConfig, clock: Callable[[], float], accounts: Accounts
    ) -> None:
        self._config = config
        self._clock = clock
        self._accounts = accounts
        self._tokens = TokenStore(clock, config.request_token_ttl_s)
        self._nonces = NonceCache(config.timestamp_tolerance_s)
        self._limiter = RateLimiter(config, clock)
        self._demo: list[tuple[str, str, str]] = []
        self._logins = [
            DemoLogin(s.user_id, s.email, demo_password(config.seed, s.user_id))
            for s in accounts.subscribers
        ]
        for subscriber in accounts.subscribers:
            token, secret = demo_token_pair(config.seed, subscriber.user_id)
            self._tokens.add_access_token(
                AccessToken(token, secret, config.consumer_key, subscriber.user_id)
            )
            self._demo.append((subscriber.user_id, token, secret))

    # Resource calls -------------------------------------------------------------------------

    async def authenticate(self, request: Request, level: Level) -> Principal:
        """Check the request at `level` and count it against the caller's quota."""
        signed = await read_signed_request(request)
        consumer_key = self._check_consumer(signed)
        token = signed.oauth.get("oauth_token") or None
        if "oauth_signature" not in signed.oauth:
            if level is Level.PROTECTED and token is None:
                raise NetflixError(400, MISSING_ACCESS_TOKEN)
            if level is not Level.CONSUMER:
                raise NetflixError(401, INVALID_SIGNATURE)
            self._limiter.hit(consumer_key)
            return Principal(consumer_key, None, None)
        access: AccessToken | None = None
        if token is not None:
            access = self._tokens.access_token(token)
            if access is None:
                raise NetflixError(401, UNKNOWN_ACCESS_TOKEN)
            if access.consumer_key != consumer_key:
                raise NetflixError(401, ACCESS_TOKEN_MISMATCH)
        elif level is Level.PROTECTED:
            raise NetflixError(400, MISSING_ACCESS_TOKEN)
        self._check_signature(signed, consumer_key, access.secret if access else "")
        self._limiter.hit(token or consumer_key)
        return Principal(consumer_key, token, access.user_id if access else None)

    def require_user(self, principal: Principal, user_id: str) -> str:
        """The user id of a `/users/{id}` path, which must be the token's own subscriber."""
        if principal.user_id is None:
            raise NetflixError(400, MISSING_ACCESS_TOKEN)
        if user_id == principal.user_id or (principal.token and user_id == principal.token):
            return principal.user_id
        if self._accounts.get(user_id) is not None:
            raise NetflixError(401, USER_MISMATCH)
        raise NetflixError(401, INVALID_USER)

    def demo_tokens(self) -> list[tuple[str, str, str]]:
        """(user_id, access_token, access_token_secret) of every seeded subscriber."""
        return list(self._demo)

    def demo_logins(self) -> list[DemoLogin]:
        """The sign-in page's email and password of every seeded subscriber."""
        return list(self._logins)

    def revoke_access_token(self, token: str) -> bool:
        """Revoke an access token, as a subscriber could from their account page."""
        return self._tokens.revoke(token)

    # The token dance ------------------------------------------------------------------------

    async def issue_request_token(self, request: Request) -> RequestToken:
        """`/oauth/request_token`: a consumer-signed call, optionally carrying `oauth_callback`."""
        signed = await read_signed_request(request)
        consumer_key = self._check_consumer(signed)
        callback = check_callback(signed.oauth.get("oauth_callback"))
        self._check_signature(signed, consumer_key, "")
        self._limiter.hit(consumer_key)
        return self._tokens.issue_request_token(consumer_key, callback)

    def pending_request_token(
        self, token: str, *, consumer_key: str | None = None, application_name: str | None = None
    ) -> RequestToken:
        """The live request token a sign-in page was opened for, checked against its URL."""
        found = self._tokens.request_token(token) if token else None
        if found is None or found.user_id is not None:
            raise NetflixError(401, BAD_REQUEST_TOKEN)
        if consumer_key is not None and consumer_key != found.consumer_key:
            raise NetflixError(401, CONSUMER_KEY_MISMATCH)
        if application_name is not None and not self._same_application(application_name):
            raise NetflixError(401, APPLICATION_NAME_MISMATCH)
        return found

    def authorize_request_token(self, token: str, user_id: str) -> str:
        """Approve a request token for a subscriber (sign-in page, tests, demos); the verifier."""
        if self._accounts.get(user_id) is None:
            raise NetflixError(401, INVALID_USER)
        verifier = self._tokens.authorize(token, user_id)
        if verifier is None:
            raise NetflixError(401, BAD_REQUEST_TOKEN)
        return verifier

    def sign_in(self, token: str, login: str, password: str) -> str | None:
        """Check a subscriber's email and password for a pending request token.

        Returns the approval code the next form must carry, or None for wrong credentials.
        """
        self.pending_request_token(token)
        subscriber = self._accounts.by_email(login)
        expected = demo_password(self._config.seed, subscriber.user_id) if subscriber else ""
        # Compare even for an unknown email, so timing does not tell which emails exist.
        if not signatures_match(expected or "-", password) or subscriber is None:
            return None
        code = self._tokens.hold_for_approval(token, subscriber.user_id)
        if code is None:
            raise NetflixError(401, BAD_REQUEST_TOKEN)
        return code

    def approve_sign_in(self, token: str, approval_code: str) -> str:
        """The signed-in subscriber allowed the application: the verifier."""
        pending = self.pending_request_token(token)
        held = pending.approval_code
        if pending.signed_in_user is None or held is None:
            raise NetflixError(401, AUTHORIZATION_FAILED)
        if not signatures_match(held, approval_code):
            raise NetflixError(401, AUTHORIZATION_FAILED)
        return self.authorize_request_token(token, pending.signed_in_user)

    def decline_request_token(self, token: str) -> None:
        """The subscriber refused: the request token can never be exchanged."""
        self._tokens.discard_request_token(token)

    async def exchange_request_token(self, request: Request) -> AccessToken:
        """`/oauth/access_token`: signed with an authorized request token, spent exactly once."""
        signed = await read_signed_request(request)
        consumer_key = self._check_consumer(signed)
        found = self._tokens.request_token(signed.oauth.get("oauth_token", ""))
        if found is None or found.consumer_key != consumer_key:
            raise NetflixError(401, BAD_REQUEST_TOKEN)
        self._check_signature(signed, consumer_key, found.secret)
        verifier = signed.oauth.get("oauth_verifier")
        if found.user_id is None or (
            verifier is not None
            and found.verifier is not None
            and not signatures_match(found.verifier, verifier)
        ):
            raise NetflixError(401, BAD_REQUEST_TOKEN)
        self._limiter.hit(consumer_key)
        access = self._tokens.exchange(found)
        if access is None:
            raise NetflixError(401, BAD_REQUEST_TOKEN)
        return access

    # Checks ---------------------------------------------------------------------------------

    def _same_application(self, name: str) -> bool:
        expected = self._config.application_name
        if name == expected:
            return True
        # The PHP library encoded the name twice; lenient mode undoes the extra layer.
        return self._config.lenient_signatures and unquote_plus(name) == expected

    def _check_consumer(self, signed: SignedRequest) -> str:
        consumer_key = signed.oauth.get("oauth_consumer_key", "")
        if not consumer_key:
            raise NetflixError(401, MISSING_CONSUMER_KEY)
        if not signatures_match(consumer_key, self._config.consumer_key):
            raise NetflixError(401, INVALID_CONSUMER_KEY)
        return consumer_key

    def _check_signature(self, signed: SignedRequest, consumer_key: str, token_secret: str) -> None:
        oauth = signed.oauth
        if oauth.get("oauth_signature_method", "").upper() != "HMAC-SHA1":
            raise NetflixError(401, INVALID_SIGNATURE_METHOD)
        if oauth.get("oauth_version", "1.0") != "1.0":
            raise NetflixError(401, INVALID_VERSION)
        stamp = oauth.get("oauth_timestamp", "")
        stamp_s = parse_digits(stamp)
        now = self._clock()
        if stamp_s is None or abs(now - stamp_s) > self._config.timestamp_tolerance_s:
            raise timestamp_refused()
        nonce = oauth.get("oauth_nonce", "")
        if not nonce:
            raise NetflixError(401, INVALID_NONCE)
        given = oauth.get("oauth_signature", "")
        secret = self._config.consumer_secret
        bases = [base_string(signed.method, signed.base_url, signed.params)]
        if self._config.lenient_signatures:
            bases += lenient_base_strings(
                signed.method, signed.base_url, signed.header_and_body, signed.raw_query
            )
        # Evaluate every candidate so timing does not reveal which one matched.
        matches = [signatures_match(hmac_sha1(b, secret, token_secret), given) for b in bases]
        if not any(matches):
            raise NetflixError(401, INVALID_SIGNATURE)
        if not self._config.refuse_replayed_nonces:
            return
        key = (consumer_key, oauth.get("oauth_token", ""), stamp, nonce)
        if not self._nonces.check_and_add(key, stamp_s, now):
            raise NetflixError(401, REPLAYED_NONCE)
