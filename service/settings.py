"""The proxy's settings: one pydantic-settings class read from `NFX_*` environment variables.

Settings are validated when the object is built, so a misconfigured replica refuses to start
with a message naming the variable instead of failing on its first request.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
import os
import re
from typing import Annotated, Self
from urllib.parse import unquote, urlsplit

from cryptography.fernet import Fernet
from pydantic import (
    Field,
    PrivateAttr,
    SecretStr,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# The emulator's published demo consumer pair (see `emulator.config`), repeated here because the
# service never imports the emulator. It opens only the emulator, never a real upstream.
DEMO_CONSUMER_KEY = "nfxdemoconsumerkey"
DEMO_CONSUMER_SECRET = "nfxdemoconsumersecret"  # noqa: S105 - published demo credential

# Values that mean "nobody set this yet"; refused as secrets whenever a real Redis is configured.
PLACEHOLDER_SECRETS = frozenset(
    {
        "",
        "changeme",
        "change-me",
        "change_me",
        "changethis",
        "secret",
        "password",
        "placeholder",
        "todo",
        "xxx",
        "none",
        "null",
        "default",
        "example",
        "test",
    }
)
MIN_ADMIN_TOKEN_LENGTH = 16
# The emulator's own variables share the NFX_ prefix; they are not the proxy's to check.
EMULATOR_PREFIX = "NFX_EMULATOR_"
# Characters browsers drop or read as "/" in a URL while Python keeps them: refused in return_to.
_AMBIGUOUS_URL = re.compile(r"[\\\x00-\x20\x7f]")

PositiveFloat = Annotated[float, Field(gt=0)]
PositiveInt = Annotated[int, Field(gt=0)]


def _is_placeholder(value: str) -> bool:
    return value.strip().casefold() in PLACEHOLDER_SECRETS


def _check_http_url(name: str, value: str) -> str:
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{name} must be an absolute http(s) URL, got {value!r}")
    if parts.query or parts.fragment:
        raise ValueError(f"{name} must not carry a query or fragment, got {value!r}")
    return value.strip().rstrip("/")


def _check_fernet_key(key: str) -> bytes:
    raw = key.strip().encode("ascii", "replace")
    try:
        decoded = base64.urlsafe_b64decode(raw)
    except (binascii.Error, ValueError):
        decoded = b""
    if len(decoded) != 32:
        raise ValueError(
            "NFX_TOKEN_ENCRYPTION_KEY must be a Fernet key (32 url-safe base64-encoded bytes); "
            "make one with: python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'"
        )
    return raw


class Settings(BaseSettings):
    """Every knob of the proxy; each field is read from `NFX_<FIELD NAME IN CAPITALS>`.

    Upstream: `NFX_UPSTREAM_BASE_URL`, `NFX_REF_BASE`, `NFX_CONSUMER_KEY`, `NFX_CONSUMER_SECRET`,
    `NFX_UPSTREAM_TIMEOUT_S`, `NFX_UPSTREAM_CONNECT_TIMEOUT_S`, `NFX_UPSTREAM_MAX_BODY_BYTES`.
    Store: `NFX_REDIS_URL` (unset = embedded in-process store, one process only),
    `NFX_REDIS_CLUSTER`, `NFX_REDIS_TIMEOUT_S`, `NFX_REDIS_MAX_CONNECTIONS`,
    `NFX_REDIS_RETRY_AFTER_S`,
    `NFX_TOKEN_ENCRYPTION_KEY`.
    Access: `NFX_ADMIN_TOKEN`, `NFX_PUBLIC_URL`, `NFX_ALLOWED_RETURN_URLS` (JSON list or
    comma-separated), `NFX_CORS_ORIGINS` (likewise), `NFX_SESSION_TTL_S`,
    `NFX_REQUEST_TOKEN_TTL_S`.
    Request edges: `NFX_MAX_BODY_BYTES`, `NFX_BODY_TIMEOUT_S`, `NFX_TRUSTED_PROXIES`.
    Caching: `NFX_CACHE_TTL_SEARCH_S`, `NFX_CACHE_TTL_TITLE_S`, `NFX_CACHE_TTL_PEOPLE_S`,
    `NFX_CACHE_TTL_AUTOCOMPLETE_S`, `NFX_CACHE_STALE_S`, `NFX_FRONT_CACHE_TTL_S`,
    `NFX_FRONT_CACHE_SIZE`, `NFX_USER_CACHE_TTL_S`, `NFX_USER_CACHE_TTL_PROFILE_S`.
    Upstream budget and queue writes: `NFX_BUDGET_USER_PER_S`, `NFX_BUDGET_CONSUMER_PER_S`,
    `NFX_BUDGET_WINDOW_MARGIN_S`, `NFX_BUDGET_USER_PER_DAY`, `NFX_BUDGET_CONSUMER_PER_DAY`,
    `NFX_BUDGET_MAX_WAIT_S`, `NFX_SIGNIN_PER_MINUTE`, `NFX_QUEUE_LOCK_TTL_S`,
    `NFX_QUEUE_WAIT_S`, `NFX_ETAG_RETRIES`.

    With a real Redis (`NFX_REDIS_URL` set) the secrets must be real: `NFX_TOKEN_ENCRYPTION_KEY`
    is required, and placeholder values such as "changeme" are refused for the consumer secret
    and the admin token. The demo consumer pair is accepted because it opens only the emulator.
    Any other `NFX_*` variable (the emulator's `NFX_EMULATOR_*` aside) is refused as misspelled.
    """

    model_config = SettingsConfigDict(
        env_prefix="NFX_",
        extra="ignore",
        frozen=True,
        validate_default=True,
        hide_input_in_errors=True,  # a refused value may be a secret
    )

    upstream_base_url: str = Field(
        "http://127.0.0.1:8081",
        description="Base URL of the Netflix-compatible upstream (the emulator by default).",
    )
    ref_base: str = Field(
        "http://api-public.netflix.com",
        description="Host used to build full title refs from short ids, as the upstream writes "
        "them.",
    )
    consumer_key: str = Field(
        DEMO_CONSUMER_KEY,
        description="OAuth 1.0a consumer key (default: the emulator's published demo key).",
    )
    consumer_secret: SecretStr = Field(
        SecretStr(DEMO_CONSUMER_SECRET),
        description="OAuth 1.0a consumer secret (default: the emulator's published demo secret).",
    )
    redis_url: str | None = Field(
        None,
        repr=False,  # may carry a password
        description="redis:// or rediss:// URL of Redis (or of one Redis Cluster node). Unset: an "
        "embedded in-process store, valid for a single process only.",
    )
    redis_cluster: bool = Field(
        False, description="Treat `redis_url` as a node of a Redis Cluster."
    )
    redis_timeout_s: PositiveFloat = Field(
        1.0, description="Connect and command timeout for Redis; past it the cache is bypassed."
    )
    redis_max_connections: Annotated[int, Field(ge=1, le=10_000)] = Field(
        32,
        description="Connections to a plain Redis per process. Requests beyond "
        "them wait up to `redis_timeout_s` for a free one instead of opening more: a burst "
        "must not open hundreds of connections at once and time out as if Redis were down.",
    )
    redis_retry_after_s: Annotated[float, Field(ge=0)] = Field(
        1.0,
        description="After Redis was found unreachable, how long this process leaves it alone: "
        "catalog reads answer BYPASS at once and what needs Redis answers 503, then one request "
        "tries it again. 0 tries Redis on every request.",
    )
    token_encryption_key: SecretStr | None = Field(
        None,
        description="Fernet key encrypting access-token secrets at rest. Several keys may be "
        "given comma-separated: the first encrypts, all decrypt (key rotation). "
        "Required with a real Redis; unset in embedded mode means an ephemeral key.",
    )
    admin_token: SecretStr | None = Field(
        None, description="Bearer token for admin endpoints (cache purge); unset disables them."
    )
    public_url: str = Field(
        "http://127.0.0.1:8080",
        description="Public base URL of this proxy, used to build the OAuth callback URL.",
    )
    allowed_return_urls: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="URL prefixes sign-in may redirect a client to afterwards (JSON list or "
        "comma-separated), besides the proxy's own web app (`public_url` + '/'), which is "
        "always allowed. See `is_allowed_return_url`.",
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Origins (scheme://host[:port]) of web front ends on other origins that may "
        "call the API from a browser (JSON list or comma-separated); empty answers no CORS.",
    )
    cache_ttl_search_s: PositiveFloat = Field(
        300, description="Freshness of cached title and people searches, in seconds."
    )
    cache_ttl_title_s: PositiveFloat = Field(
        3600, description="Freshness of cached title details and similar titles, in seconds."
    )
    cache_ttl_people_s: PositiveFloat = Field(
        3600, description="Freshness of cached person details, in seconds."
    )
    cache_ttl_autocomplete_s: PositiveFloat = Field(
        600, description="Freshness of cached autocomplete answers, in seconds."
    )
    cache_stale_s: Annotated[float, Field(ge=0)] = Field(
        86400,
        description="How long past freshness a cached answer is kept to be served (as STALE) "
        "when the upstream fails.",
    )
    front_cache_ttl_s: Annotated[float, Field(ge=0)] = Field(
        2.0, description="Lifetime of the in-process front cache entries; 0 disables that tier."
    )
    front_cache_size: Annotated[int, Field(ge=0)] = Field(
        2048, description="Number of entries in the in-process front cache."
    )
    user_cache_ttl_s: Annotated[float, Field(ge=0)] = Field(
        20.0,
        description="Freshness of a subscriber's cached queues, title states, ratings and discs "
        "at home, in seconds (changes made outside the proxy show after at most this); 0 "
        "turns their caching off.",
    )
    user_cache_ttl_profile_s: Annotated[float, Field(ge=0)] = Field(
        120.0,
        description="Freshness of a subscriber's cached profile, feeds, rental history and "
        "recommendations, in seconds; 0 turns their caching off.",
    )
    upstream_timeout_s: PositiveFloat = Field(
        10.0, description="Total timeout of one upstream call, in seconds."
    )
    upstream_connect_timeout_s: PositiveFloat = Field(
        3.0, description="Connect timeout of one upstream call, in seconds."
    )
    upstream_max_body_bytes: PositiveInt = Field(
        20_000_000, description="Largest upstream body read into memory, in bytes."
    )
    budget_user_per_s: PositiveInt = Field(
        4,
        description="Upstream calls allowed per access token in any sliding second (replicas "
        "share it).",
    )
    budget_consumer_per_s: PositiveInt = Field(
        50,
        description="Upstream calls allowed per consumer key in any sliding second (replicas "
        "share it).",
    )
    budget_window_margin_s: Annotated[float, Field(ge=0, le=10)] = Field(
        0.2,
        description="Added to the one-second window the budget enforces, so that calls reserved "
        "one window apart still arrive one second apart despite network and scheduling jitter.",
    )
    budget_user_per_day: Annotated[int, Field(ge=0)] = Field(
        5000, description="Upstream calls allowed per access token per UTC day; 0 disables the cap."
    )
    budget_consumer_per_day: Annotated[int, Field(ge=0)] = Field(
        5000, description="Upstream calls allowed per consumer key per UTC day; 0 disables the cap."
    )
    budget_max_wait_s: Annotated[float, Field(ge=0)] = Field(
        2.0, description="Longest wait for budget before a call; beyond it the client gets 429."
    )
    signin_per_minute: Annotated[int, Field(ge=0)] = Field(
        20,
        description="Sign-in calls (start, callback, import) per client address in any sliding "
        "minute; they reach the upstream without a session. 0 disables the limit.",
    )
    queue_lock_ttl_s: PositiveFloat = Field(
        15.0,
        description="Lifetime of a queue write lock unless renewed; a crashed holder's turn "
        "ends after it.",
    )
    queue_wait_s: Annotated[float, Field(ge=0)] = Field(
        15.0,
        description="Longest wait for a turn to write a queue (first come, first served); "
        "beyond it the client gets 503 with Retry-After.",
    )
    etag_retries: Annotated[int, Field(ge=0)] = Field(
        3,
        description="Retries of a queue write after a stale etag, or after an upstream "
        "failure the queue shows did not take effect.",
    )
    session_ttl_s: PositiveInt = Field(
        2_592_000, description="Lifetime of a proxy session (bearer token), in seconds."
    )
    request_token_ttl_s: PositiveInt = Field(
        900, description="Lifetime of a pending sign-in (request token), in seconds."
    )
    max_body_bytes: PositiveInt = Field(
        65_536,
        description="Largest request body accepted, in bytes; larger ones get 413 before they "
        "are read (declared by Content-Length or counted while a chunked body streams).",
    )
    body_timeout_s: PositiveFloat = Field(
        10.0,
        description="Longest time a client may take to send its request body, in seconds; "
        "past it the request gets 408.",
    )
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Addresses or CIDR networks of the reverse proxies whose X-Forwarded-For "
        "is believed (JSON list or comma-separated); empty believes none.",
    )

    _ephemeral_key: bytes | None = PrivateAttr(default=None)

    @field_validator("upstream_base_url", "ref_base", "public_url")
    @classmethod
    def _absolute_url(cls, value: str, info: ValidationInfo) -> str:
        return _check_http_url(f"NFX_{(info.field_name or 'url').upper()}", value)

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        scheme = urlsplit(value.strip()).scheme
        if scheme not in ("redis", "rediss", "unix"):
            # Only the scheme is echoed: the rest of the URL may hold a password.
            raise ValueError(
                f"NFX_REDIS_URL must start with redis://, rediss:// or unix://, got {scheme!r}"
            )
        return value.strip()

    @field_validator("allowed_return_urls", "cors_origins", "trusted_proxies", mode="before")
    @classmethod
    def _split_lists(cls, value: object, info: ValidationInfo) -> object:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                try:
                    return json.loads(text)
                except json.JSONDecodeError as exc:
                    name = f"NFX_{(info.field_name or 'urls').upper()}"
                    raise ValueError(
                        f"{name} starts with '[' but is not a valid JSON list "
                        f"({exc.msg} at character {exc.pos}); or give comma-separated values"
                    ) from exc
            return [part for part in (p.strip() for p in text.split(",")) if part]
        return value

    @field_validator("allowed_return_urls")
    @classmethod
    def _return_urls_absolute(cls, value: list[str]) -> list[str]:
        return [_check_http_url("NFX_ALLOWED_RETURN_URLS entry", item) for item in value]

    @field_validator("trusted_proxies")
    @classmethod
    def _proxy_networks(cls, value: list[str]) -> list[str]:
        for item in value:
            try:
                ipaddress.ip_network(item.strip(), strict=False)
            except ValueError:
                raise ValueError(
                    f"NFX_TRUSTED_PROXIES entries must be IP addresses or CIDR networks, "
                    f"got {item!r}"
                ) from None
        return [item.strip() for item in value]

    @field_validator("cors_origins")
    @classmethod
    def _origins_only(cls, value: list[str]) -> list[str]:
        origins = []
        for item in value:
            checked = _check_http_url("NFX_CORS_ORIGINS entry", item)
            parts = urlsplit(checked)
            if parts.path or "@" in parts.netloc:
                raise ValueError(
                    f"NFX_CORS_ORIGINS entries are origins (scheme://host[:port]), got {item!r}"
                )
            origins.append(checked.lower())  # browsers send the Origin header in lower case
        return origins

    @field_validator("consumer_key")
    @classmethod
    def _consumer_key_present(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("NFX_CONSUMER_KEY must not be empty")
        return value.strip()

    @field_validator("consumer_secret")
    @classmethod
    def _consumer_secret_present(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().strip():
            raise ValueError("NFX_CONSUMER_SECRET must not be empty")
        return value

    @field_validator("token_encryption_key")
    @classmethod
    def _fernet_keys(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        for part in value.get_secret_value().split(","):
            _check_fernet_key(part)
        return value

    @model_validator(mode="after")
    def _no_misspelled_variables(self) -> Self:
        # A misspelled variable would otherwise fall back to its default silently, e.g. an
        # embedded store instead of the shared Redis. Only names are reported, never values.
        unknown = sorted(
            name
            for name in (raw.upper() for raw in os.environ)
            if name.startswith("NFX_")
            and not name.startswith(EMULATOR_PREFIX)
            and name[4:].lower() not in type(self).model_fields
        )
        if unknown:
            raise ValueError(f"unknown setting(s) {', '.join(unknown)}; check their spelling")
        return self

    @model_validator(mode="after")
    def _real_store_needs_real_secrets(self) -> Self:
        if self.redis_cluster and self.redis_url is None:
            raise ValueError("NFX_REDIS_CLUSTER needs NFX_REDIS_URL (one node of the cluster)")
        if self.admin_token is not None:
            # Whatever the store: a weak admin token would open the purge endpoint to guessing.
            admin = self.admin_token.get_secret_value()
            if _is_placeholder(admin) or len(admin.strip()) < MIN_ADMIN_TOKEN_LENGTH:
                raise ValueError(
                    f"NFX_ADMIN_TOKEN must be a real secret of at least "
                    f"{MIN_ADMIN_TOKEN_LENGTH} characters (or unset)"
                )
        if self.redis_url is None:
            return self
        if self.token_encryption_key is None:
            raise ValueError(
                "NFX_TOKEN_ENCRYPTION_KEY is required when NFX_REDIS_URL is set "
                "(sessions stored in Redis must survive restarts and be shared)"
            )
        if _is_placeholder(self.consumer_secret.get_secret_value()):
            raise ValueError("NFX_CONSUMER_SECRET holds a placeholder value; set the real one")
        return self

    @property
    def embedded_store(self) -> bool:
        """True when the store is the in-process one (no `redis_url`)."""
        return self.redis_url is None

    def encryption_keys(self) -> list[bytes]:
        """The Fernet keys, first one encrypting; an ephemeral key (per instance) if unset."""
        if self.token_encryption_key is not None:
            return [
                part.strip().encode("ascii")
                for part in self.token_encryption_key.get_secret_value().split(",")
            ]
        if self._ephemeral_key is None:
            self._ephemeral_key = Fernet.generate_key()
        return [self._ephemeral_key]

    @property
    def web_app_url(self) -> str:
        """The URL of the web app the proxy serves itself: a sign-in may always return there."""
        return f"{self.public_url}/"

    def is_allowed_return_url(self, url: str) -> bool:
        """True when `url` lies under one of `allowed_return_urls` or the proxy's own web app.

        Scheme, host and port must match exactly and the path must start at a segment
        boundary, so `https://app.example/cb` allows `/cb` and `/cb/x` but not `/cbx`, and
        `https://app.example` never allows `https://app.example.evil.test`. URLs that browsers
        read differently from Python (backslashes, control characters, user info such as
        `https://evil.test\\@app.example/`) and dot segments that climb out of the prefix are
        refused outright.
        """
        if _AMBIGUOUS_URL.search(url):
            return False
        try:
            target = urlsplit(url)
            target_origin = (target.scheme, target.hostname, target.port)
        except ValueError:  # e.g. a port out of range
            return False
        if target.scheme not in ("http", "https") or not target.hostname or "@" in target.netloc:
            return False
        if any(part in (".", "..") for part in unquote(target.path).split("/")):
            return False
        app = urlsplit(self.web_app_url)
        if (app.scheme, app.hostname, app.port) == target_origin and target.path == app.path:
            return True  # exactly the web app's page, whatever its query
        for allowed in self.allowed_return_urls:
            base = urlsplit(allowed)
            if (base.scheme, base.hostname, base.port) != target_origin:
                continue
            prefix = base.path.rstrip("/")
            if not prefix or target.path == prefix or target.path.startswith(prefix + "/"):
                return True
        return False
