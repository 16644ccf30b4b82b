"""Proxy sessions and pending sign-ins, kept in Redis without anything usable in clear.

A session is reached by an opaque bearer token (`secrets.token_urlsafe(32)`) that only the
client holds: Redis stores its SHA-256 as the key, and the user id and Netflix access-token
pair encrypted (see `store.crypto`) and bound to that key. A pending sign-in keeps the
request-token secret the same way, and can be taken only once. Every sign-in is bound to who
started it: a browser (the SHA-256 of a cookie given to it) or an app (the SHA-256 of a
one-time sign-in secret given to it), so that nobody else can finish it.
Both need Redis: when it is unreachable, or was moments ago (`store.breaker`), they raise
`StoreUnavailable` (503).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import orjson

from service.errors import InvalidInput, StoreUnavailable
from service.netflix.client import AccessToken
from service.settings import Settings
from service.store import keys
from service.store.breaker import Breaker
from service.store.crypto import TokenCipher, UndecryptableError
from service.store.redis import STORE_DOWN, RedisLike, as_bytes

_BEARER = re.compile(r"[A-Za-z0-9_-]{32,128}")
_MAX_FIELD = 4096
_log = logging.getLogger(__name__)
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class Session:
    """A signed-in caller: whose session it is and the Netflix token to act with."""

    session_id: str
    user_id: str
    token: AccessToken


async def _guard(breaker: Breaker, action: str, make: Callable[[], Awaitable[_T]]) -> _T:
    detail = f"the session store is unreachable ({action}); retry shortly"
    return await breaker.need(make, detail)


def _text_field(name: str, value: str) -> str:
    if not value or len(value) > _MAX_FIELD:
        raise InvalidInput(f"{name} must be 1 to {_MAX_FIELD} characters")
    return value


def _load(data: bytes) -> dict[str, Any] | None:
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


class SessionStore:
    """Creates, resolves and revokes sessions; lifetime `session_ttl_s` from creation."""

    def __init__(
        self,
        redis: RedisLike,
        settings: Settings,
        cipher: TokenCipher | None = None,
        *,
        breaker: Breaker | None = None,
    ) -> None:
        self._redis = redis
        self._breaker = breaker or Breaker(settings.redis_retry_after_s)
        self._ttl_s = settings.session_ttl_s
        self._cipher = cipher or TokenCipher.from_settings(settings)

    async def create(self, user_id: str, token: AccessToken) -> str:
        """Store a new session and return its bearer token (shown to the client once)."""
        _text_field("user id", user_id)
        _text_field("access token", token.token)
        _text_field("access token secret", token.secret)
        bearer = secrets.token_urlsafe(32)
        key = keys.session(bearer)
        payload = orjson.dumps({"user_id": user_id, "token": token.token, "secret": token.secret})
        blob = self._cipher.encrypt(payload, context=key)
        created = await _guard(
            self._breaker, "create", lambda: self._redis.set(key, blob, ex=self._ttl_s, nx=True)
        )
        if not created:  # 256 random bits never collide; refuse rather than share a session
            raise StoreUnavailable("could not create a session; retry")
        return bearer

    async def resolve(self, bearer: str) -> Session | None:
        """The live session of a bearer token; None when malformed, unknown or expired."""
        if not _BEARER.fullmatch(bearer):
            return None
        key = keys.session(bearer)
        blob = as_bytes(await _guard(self._breaker, "resolve", lambda: self._redis.get(key)))
        if blob is None:
            return None
        try:
            data = _load(self._cipher.decrypt(blob, context=key))
        except UndecryptableError:
            # Encrypted with a key no longer configured (or tampered with): unusable.
            _log.warning("dropping an undecryptable session %s", keys.session_id(bearer)[:12])
            await _guard(self._breaker, "resolve", lambda: self._redis.delete(key))
            return None
        if data is None or not all(
            isinstance(data.get(name), str) for name in ("user_id", "token", "secret")
        ):
            return None
        return Session(
            session_id=keys.session_id(bearer),
            user_id=data["user_id"],
            token=AccessToken(data["token"], data["secret"]),
        )

    async def remaining_s(self, bearer: str) -> int | None:
        """Seconds the session of a bearer token has left; None when unknown or unreadable."""
        if not _BEARER.fullmatch(bearer):
            return None
        key = keys.session(bearer)
        try:
            remaining = int(await self._breaker.call(lambda: self._redis.ttl(key)))
        except STORE_DOWN:
            return None
        return remaining if remaining >= 0 else None

    async def revoke(self, bearer: str) -> bool:
        """End a session at once; True when there was one."""
        if not _BEARER.fullmatch(bearer):
            return False
        deleted: int = await _guard(
            self._breaker, "revoke", lambda: self._redis.delete(keys.session(bearer))
        )
        return deleted > 0


@dataclass(frozen=True, slots=True)
class PendingSignIn:
    """A started sign-in: the request-token secret, where to return, and who may finish it.

    Every sign-in is bound: to the browser holding a cookie (`browser_hash`), or to the app
    holding a sign-in secret (`app_hash`); only digests are kept. An app-bound sign-in becomes
    `completed` at the callback, holding the access token until the app claims it.
    """

    secret: str = field(repr=False)
    return_to: str | None = None
    browser_hash: str | None = None
    app_hash: str | None = None
    user_id: str | None = None
    access: AccessToken | None = field(default=None, repr=False)

    @property
    def app_bound(self) -> bool:
        """True when an app finishes this sign-in with its secret (not the callback's browser)."""
        return self.app_hash is not None

    @property
    def completed(self) -> bool:
        """True once the callback got the access token of an app-bound sign-in."""
        return self.user_id is not None and self.access is not None

    def finished_by(self, browser_cookie: str | None) -> bool:
        """True when the callback may finish it: a browser-bound sign-in, from that browser."""
        return _matches(self.browser_hash, browser_cookie)

    def claimed_by(self, app_secret: str) -> bool:
        """True when `app_secret` is the secret the app was given at start."""
        return _matches(self.app_hash, app_secret)


def _matches(digest: str | None, value: str | None) -> bool:
    return digest is not None and value is not None and hmac.compare_digest(digest, _digest(value))


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


class RequestTokenStore:
    """Pending sign-ins under their request token: read, completed, and taken once."""

    def __init__(
        self,
        redis: RedisLike,
        settings: Settings,
        cipher: TokenCipher | None = None,
        *,
        breaker: Breaker | None = None,
    ) -> None:
        self._redis = redis
        self._breaker = breaker or Breaker(settings.redis_retry_after_s)
        self._cipher = cipher or TokenCipher.from_settings(settings)

    async def put(
        self,
        token: str,
        secret: str,
        ttl_s: float,
        return_to: str | None = None,
        *,
        browser_cookie: str | None = None,
        app_secret: str | None = None,
    ) -> None:
        """Remember a request token's secret for `ttl_s` seconds (replacing any earlier one).

        `browser_cookie` binds the sign-in to the browser holding it, `app_secret` to the app
        holding it; only their hashes are kept.
        """
        _text_field("request token", token)
        _text_field("request token secret", secret)
        if ttl_s <= 0:
            raise ValueError("ttl_s must be positive")
        pending = PendingSignIn(
            secret,
            return_to,
            None if browser_cookie is None else _digest(browser_cookie),
            None if app_secret is None else _digest(app_secret),
        )
        blob = self._seal(token, pending)
        await _guard(
            self._breaker,
            "sign-in start",
            lambda: self._redis.set(
                keys.request_token(token), blob, px=max(1, round(ttl_s * 1000))
            ),
        )

    async def complete(
        self, token: str, pending: PendingSignIn, user_id: str, access: AccessToken
    ) -> bool:
        """Record the access token of an app-bound sign-in until the app claims it.

        Keeps the sign-in's expiry; False when it is gone meanwhile (expired or taken).
        """
        _text_field("user id", user_id)
        done = PendingSignIn(
            pending.secret, pending.return_to, None, pending.app_hash, user_id, access
        )
        blob = self._seal(token, done)
        key = keys.request_token(token)
        stored = await _guard(
            self._breaker,
            "sign-in callback",
            lambda: self._redis.set(key, blob, xx=True, keepttl=True),
        )
        return bool(stored)

    async def peek(self, token: str) -> PendingSignIn | None:
        """A pending sign-in, left in place; None if unknown, used or expired."""
        return await self._read(token, "get")

    async def pop(self, token: str) -> PendingSignIn | None:
        """Take a pending sign-in once; None if unknown, used or expired."""
        return await self._read(token, "getdel")

    def _seal(self, token: str, pending: PendingSignIn) -> bytes:
        access = pending.access
        payload = {
            "secret": pending.secret,
            "return_to": pending.return_to,
            "browser": pending.browser_hash,
            "app": pending.app_hash,
            "user_id": pending.user_id,
            "token": None if access is None else access.token,
            "token_secret": None if access is None else access.secret,
        }
        return self._cipher.encrypt(orjson.dumps(payload), context=keys.request_token(token))

    async def _read(self, token: str, command: str) -> PendingSignIn | None:
        if not token or len(token) > _MAX_FIELD:
            return None
        key = keys.request_token(token)
        read = self._redis.getdel if command == "getdel" else self._redis.get
        blob = as_bytes(await _guard(self._breaker, "sign-in callback", lambda: read(key)))
        if blob is None:
            return None
        try:
            data = _load(self._cipher.decrypt(blob, context=key))
        except UndecryptableError:
            return None
        if data is None or not isinstance(data.get("secret"), str):
            return None
        text = {name: value for name, value in data.items() if isinstance(value, str)}
        access = None
        if "token" in text and "token_secret" in text:
            access = AccessToken(text["token"], text["token_secret"])
        return PendingSignIn(
            text["secret"],
            text.get("return_to"),
            text.get("browser"),
            text.get("app"),
            text.get("user_id"),
            access,
        )
