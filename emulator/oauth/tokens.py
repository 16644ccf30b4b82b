"""Request and access tokens of one emulator instance (never shared between instances).

Request tokens live `request_token_ttl_s` and are spent by one access-token exchange; access
tokens are long-lived until revoked, as Netflix's were. Token strings look like Netflix's: 24
lowercase letters and digits, with a 12-character secret.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string
import threading
from collections.abc import Callable
from dataclasses import dataclass

_TOKEN_ALPHABET = string.ascii_lowercase + string.digits
_SECRET_ALPHABET = string.ascii_letters + string.digits
TOKEN_LENGTH = 24
SECRET_LENGTH = 12
VERIFIER_LENGTH = 16
PASSWORD_LENGTH = 10


def random_string(alphabet: str, length: int) -> str:
    """A random string from a cryptographic source."""
    return "".join(secrets.choice(alphabet) for _ in range(length))


def _derived_string(alphabet: str, digest: bytes, length: int) -> str:
    number = int.from_bytes(digest, "big")
    chars = []
    for _ in range(length):
        number, index = divmod(number, len(alphabet))
        chars.append(alphabet[index])
    return "".join(chars)


def demo_token_pair(seed: int, user_id: str) -> tuple[str, str]:
    """The published demo access token pair of a subscriber: HMAC-SHA256 of the seed and user id."""
    key = f"netflix-emulator-demo:{seed}".encode()
    token = hmac.new(key, f"token:{user_id}".encode(), hashlib.sha256).digest()
    secret = hmac.new(key, f"secret:{user_id}".encode(), hashlib.sha256).digest()
    return (
        _derived_string(_TOKEN_ALPHABET, token, TOKEN_LENGTH),
        _derived_string(_SECRET_ALPHABET, secret, SECRET_LENGTH),
    )


def demo_password(seed: int, user_id: str) -> str:
    """The published demo password of a subscriber: HMAC-SHA256 of the seed and user id."""
    key = f"netflix-emulator-demo:{seed}".encode()
    digest = hmac.new(key, f"password:{user_id}".encode(), hashlib.sha256).digest()
    return _derived_string(_TOKEN_ALPHABET, digest, PASSWORD_LENGTH)


@dataclass(slots=True)
class RequestToken:
    """A temporary credential: issued, then authorized by a subscriber, then spent once."""

    token: str
    secret: str
    consumer_key: str
    callback: str | None
    issued_at: float
    user_id: str | None = None
    verifier: str | None = None
    # Set once a subscriber signed in on the page, until they allow or deny the application.
    signed_in_user: str | None = None
    approval_code: str | None = None


@dataclass(frozen=True, slots=True)
class AccessToken:
    """A long-lived credential bound to one consumer and one subscriber."""

    token: str
    secret: str
    consumer_key: str
    user_id: str


class TokenStore:
    """Thread-safe token tables; expired request tokens are purged as new ones are issued."""

    def __init__(self, clock: Callable[[], float], request_token_ttl_s: float) -> None:
        self._clock = clock
        self._ttl = request_token_ttl_s
        self._lock = threading.Lock()
        self._requests: dict[str, RequestToken] = {}
        self._access: dict[str, AccessToken] = {}

    def issue_request_token(self, consumer_key: str, callback: str | None) -> RequestToken:
        """A fresh, unauthorized request token."""
        now = self._clock()
        with self._lock:
            self._purge(now)
            while True:
                token = random_string(_TOKEN_ALPHABET, TOKEN_LENGTH)
                if token not in self._requests and token not in self._access:
                    break
            issued = RequestToken(
                token, random_string(_SECRET_ALPHABET, SECRET_LENGTH), consumer_key, callback, now
            )
            self._requests[token] = issued
            return issued

    def request_token(self, token: str) -> RequestToken | None:
        """The live (unexpired, unspent) request token, or None."""
        with self._lock:
            found = self._requests.get(token)
            if found is None:
                return None
            if self._clock() - found.issued_at > self._ttl:
                del self._requests[token]
                return None
            return found

    def authorize(self, token: str, user_id: str) -> str | None:
        """Bind a live request token to a subscriber; the new verifier, or None if not live."""
        found = self.request_token(token)
        if found is None:
            return None
        with self._lock:
            found.user_id = user_id
            found.verifier = random_string(_SECRET_ALPHABET, VERIFIER_LENGTH)
            return found.verifier

    def hold_for_approval(self, token: str, user_id: str) -> str | None:
        """A signed-in subscriber is asked to allow the application; the approval code.

        The code travels in the approval form, so only the browser that signed in can allow.
        """
        found = self.request_token(token)
        if found is None or found.user_id is not None:
            return None
        with self._lock:
            found.signed_in_user = user_id
            found.approval_code = random_string(_SECRET_ALPHABET, VERIFIER_LENGTH)
            return found.approval_code

    def discard_request_token(self, token: str) -> None:
        """Forget a request token (declined sign-in)."""
        with self._lock:
            self._requests.pop(token, None)

    def exchange(self, request: RequestToken) -> AccessToken | None:
        """Spend an authorized request token for a new access token; None if already spent."""
        with self._lock:
            if self._requests.pop(request.token, None) is None or request.user_id is None:
                return None
            while True:
                token = random_string(_TOKEN_ALPHABET, TOKEN_LENGTH)
                if token not in self._access and token not in self._requests:
                    break
            access = AccessToken(
                token,
                random_string(_SECRET_ALPHABET, SECRET_LENGTH),
                request.consumer_key,
                request.user_id,
            )
            self._access[token] = access
            return access

    def add_access_token(self, access: AccessToken) -> None:
        """Register a pre-issued access token (the demo ones)."""
        with self._lock:
            self._access[access.token] = access

    def access_token(self, token: str) -> AccessToken | None:
        """The access token if issued here and not revoked."""
        with self._lock:
            return self._access.get(token)

    def revoke(self, token: str) -> bool:
        """Revoke an access token, as a subscriber could; True if it existed."""
        with self._lock:
            return self._access.pop(token, None) is not None

    def _purge(self, now: float) -> None:
        stale = [t for t, r in self._requests.items() if now - r.issued_at > self._ttl]
        for token in stale:
            del self._requests[token]
