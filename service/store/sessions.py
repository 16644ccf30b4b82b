"""Proxy sessions and pending sign-ins, kept in Redis without anything usable in clear.

A session is reached by an opaque bearer token (`secrets.token_urlsafe(32)`) that only the
client holds: Redis stores its SHA-256 as the key, and the user id and Netflix access-token
pair encrypted (see `store.crypto`) and bound to that key. A pending sign-in keeps the
request-token secret the same way, and can be taken only once; a sign-in started by a browser
also keeps the SHA-256 of a cookie given to that browser, so that only it can finish it.
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
from service.store.redis import RedisLike, as_bytes

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
    """A started sign-in: the request-token secret, where to return, the browser it is bound to."""

    secret: str = field(repr=False)
    return_to: str | None = None
    browser_hash: str | None = None

    def finished_by(self, browser_cookie: str | None) -> bool:
        """True unless the sign-in is bound to a browser and this cookie is not that browser's."""
        if self.browser_hash is None:
            return True
        return browser_cookie is not None and hmac.compare_digest(
            self.browser_hash, _digest(browser_cookie)
        )


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


class RequestTokenStore:
    """Pending sign-ins: the request-token secret and where to send the client afterwards."""

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
    ) -> None:
        """Remember a request token's secret for `ttl_s` seconds (replacing any earlier one).

        `browser_cookie` binds the sign-in to the browser holding it; only its hash is kept.
        """
        _text_field("request token", token)
        _text_field("request token secret", secret)
        if ttl_s <= 0:
            raise ValueError("ttl_s must be positive")
        key = keys.request_token(token)
        blob = self._cipher.encrypt(
            orjson.dumps(
                {
                    "secret": secret,
                    "return_to": return_to,
                    "browser": None if browser_cookie is None else _digest(browser_cookie),
                }
            ),
            context=key,
        )
        await _guard(
            self._breaker,
            "sign-in start",
            lambda: self._redis.set(key, blob, px=max(1, round(ttl_s * 1000))),
        )

    async def pop(self, token: str) -> PendingSignIn | None:
        """Take a pending sign-in once; None if unknown, used or expired."""
        if not token or len(token) > _MAX_FIELD:
            return None
        key = keys.request_token(token)
        blob = as_bytes(
            await _guard(self._breaker, "sign-in callback", lambda: self._redis.getdel(key))
        )
        if blob is None:
            return None
        try:
            data = _load(self._cipher.decrypt(blob, context=key))
        except UndecryptableError:
            return None
        if data is None or not isinstance(data.get("secret"), str):
            return None
        return_to, browser = data.get("return_to"), data.get("browser")
        return PendingSignIn(
            data["secret"],
            return_to if isinstance(return_to, str) else None,
            browser if isinstance(browser, str) else None,
        )
