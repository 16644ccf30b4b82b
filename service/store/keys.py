"""Every Redis key the service uses, built here and nowhere else.

Keys start with `nfx:v1:` (bump `VERSION` when a stored format changes, so old entries are
ignored and expire) and carry a hash tag `{...}`: keys that one operation touches share it, so
they live in one Redis Cluster slot (a cache entry and its fill lock; a queue's etag, its
write lock and the line of writers waiting for it; all budget buckets of one consumer key,
taken together by one script).
Secrets and user-chosen strings never appear in keys: they are hashed.
"""

from __future__ import annotations

import enum
import hashlib
import re
from dataclasses import dataclass

VERSION = "v1"
ROOT = f"nfx:{VERSION}:"
# The JSON shape of cached catalog answers; bump it when the public models change, so that
# replicas of the new version never serve answers cached by the old one (those expire).
CATALOG_FORMAT = 2

_RESOURCE = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*")
_PARAM = re.compile(r"[a-z][a-z0-9_]*")
# Parameters holding free text: case-folded and whitespace-collapsed before keying.
TEXT_PARAMS = frozenset({"term"})

ParamValue = str | int | bool | enum.Enum | None


def digest(value: str | bytes, size: int = 32) -> str:
    """A hex SHA-256 prefix: how secrets and free text appear in keys."""
    data = value.encode() if isinstance(value, str) else value
    return hashlib.sha256(data).hexdigest()[:size]


def normalize_text(value: str) -> str:
    """Case-folded, whitespace-collapsed text (how search terms are compared)."""
    return " ".join(value.split()).casefold()


def _text(value: ParamValue) -> str:
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _check_resource(resource: str) -> str:
    if not _RESOURCE.fullmatch(resource):
        raise ValueError(f"resource names are dotted lower-case words, got {resource!r}")
    return resource


def canonical_params(params: dict[str, ParamValue]) -> str:
    """Parameters as one canonical string: sorted, None dropped, free text normalized."""
    parts: list[str] = []
    for name in sorted(params):
        if not _PARAM.fullmatch(name):
            raise ValueError(f"parameter names are lower-case words, got {name!r}")
        value = params[name]
        if value is None:
            continue
        text = _text(value)
        if name in TEXT_PARAMS:
            text = normalize_text(text)
        # Length-prefixed, so no value can forge a separator.
        parts.append(f"{name}={len(text)}:{text}")
    return "&".join(parts)


def catalog(resource: str, **params: ParamValue) -> str:
    """The response-cache key of a catalog read: a function of resource + normalized params.

    Callers fill defaults in before calling, so an explicit default and an absent parameter
    give the same key; `None` values are dropped; `term` is case-folded and its whitespace
    collapsed; parameter order does not matter.
    """
    _check_resource(resource)
    keyed = f"f{CATALOG_FORMAT}|{canonical_params(params)}"
    return f"{ROOT}{{cat:{resource}:{digest(keyed)}}}"


def catalog_prefix(resource_prefix: str | None = None) -> str:
    """The string every catalog key of a resource group starts with (all catalog keys if None).

    `catalog_prefix("titles")` covers `titles.search`, `titles.get`...; `catalog_prefix(
    "titles.get")` only that read.
    """
    if resource_prefix is None:
        return f"{ROOT}{{cat:"
    resource = _check_resource(resource_prefix)
    return f"{ROOT}{{cat:{resource}"


def catalog_pattern(resource_prefix: str | None = None) -> str:
    """SCAN pattern of the cache entries of a resource group (fill locks excluded by callers)."""
    prefix = catalog_prefix(resource_prefix)
    if resource_prefix is None:
        return prefix + "*"
    # `titles` matches `titles.search:...` and `titles:...`, never `titlesx...`.
    return prefix + "[.:]*"


def in_catalog_group(key: str, resource_prefix: str | None = None) -> bool:
    """True when `key` is a catalog key of the group, by the same rule as `catalog_pattern`."""
    prefix = catalog_prefix(resource_prefix)
    if not key.startswith(prefix):
        return False
    return resource_prefix is None or key[len(prefix) : len(prefix) + 1] in (".", ":")


def catalog_resource(key: str) -> str | None:
    """The resource of a catalog key (`titles.search`...), or None for other keys."""
    prefix = catalog_prefix()
    if not key.startswith(prefix):
        return None
    resource, _, _ = key[len(prefix) :].partition(":")
    return resource


def fill_lock(cache_key: str) -> str:
    """The coalescing lock of one cache entry (same slot as the entry)."""
    return _cache_companion(cache_key, ":lock")


def fill_failure(cache_key: str) -> str:
    """Where a failed fill leaves its error for the callers waiting on it (same slot)."""
    return _cache_companion(cache_key, ":failed")


def is_cache_entry(key: str | bytes) -> bool:
    """True for response-cache entries, False for their locks and failure notes."""
    text = key.decode() if isinstance(key, bytes) else key
    return text.startswith(catalog_prefix()) and text.endswith("}")


def _cache_companion(cache_key: str, suffix: str) -> str:
    if not (cache_key.startswith(catalog_prefix()) and cache_key.endswith("}")):
        raise ValueError(f"not a response-cache key: {cache_key!r}")
    return cache_key + suffix


def session(bearer: str) -> str:
    """Where one session lives, under the SHA-256 of its bearer token."""
    return f"{ROOT}{{ses:{session_id(bearer)}}}"


def session_id(bearer: str) -> str:
    """The stable id of a session: the full SHA-256 hex of its bearer token."""
    return hashlib.sha256(bearer.encode()).hexdigest()


def request_token(token: str) -> str:
    """A pending sign-in, under the SHA-256 of its request token."""
    return f"{ROOT}{{req:{digest(token, 64)}}}"


def _queue_tag(user_id: str, queue: str | enum.Enum) -> str:
    name = _text(queue)
    if not _PARAM.fullmatch(name):
        raise ValueError(f"queue names are lower-case words, got {name!r}")
    if not user_id:
        raise ValueError("user id must not be empty")
    return f"{{q:{digest(user_id)}:{name}}}"


def queue_etag(user_id: str, queue: str | enum.Enum) -> str:
    """The last known etag of one user's queue (same slot as its lock)."""
    return f"{ROOT}{_queue_tag(user_id, queue)}:etag"


def queue_lock(user_id: str, queue: str | enum.Enum) -> str:
    """The write lock of one user's queue."""
    return f"{ROOT}{_queue_tag(user_id, queue)}:lock"


def queue_line(user_id: str, queue: str | enum.Enum) -> tuple[str, str, str]:
    """The waiting line of one queue's lock (same slot as the lock): waiters by ticket,
    waiters by heartbeat deadline, and the ticket counter."""
    tag = f"{ROOT}{_queue_tag(user_id, queue)}"
    return f"{tag}:waiters", f"{tag}:alive", f"{tag}:tickets"


def idempotency(user_id: str, key: str) -> str:
    """The stored answer of one `Idempotency-Key` of one user (the key itself is hashed)."""
    if not user_id:
        raise ValueError("user id must not be empty")
    return f"{ROOT}{{idem:{digest(user_id)}}}:{digest(key, 64)}"


@dataclass(frozen=True, slots=True)
class BudgetKeys:
    """One budget's reservation log (a list of call times) and its daily counter (a hash)."""

    log: str
    day: str


def budget(consumer_key: str, access_token: str | None) -> tuple[BudgetKeys, BudgetKeys | None]:
    """The consumer's budget and the access token's, all four keys in the consumer's slot.

    One script takes both budgets of a call (both or neither), so they share one hash tag.
    Every upstream call touches the consumer's budget anyway: that slot is as busy either way.
    """
    if not consumer_key:
        raise ValueError("consumer key must not be empty")
    tag = f"{ROOT}{{bud:{digest(consumer_key)}}}"
    consumer = BudgetKeys(f"{tag}:consumer:log", f"{tag}:consumer:day")
    if access_token is None:
        return consumer, None
    token = digest(access_token)
    return consumer, BudgetKeys(f"{tag}:tok:{token}:log", f"{tag}:tok:{token}:day")


def sign_in_budget(client: str) -> BudgetKeys:
    """The sign-in budget of one client (its address, hashed: addresses are personal data)."""
    tag = f"{ROOT}{{sig:{digest(client)}}}"
    return BudgetKeys(f"{tag}:log", f"{tag}:day")
