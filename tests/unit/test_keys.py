"""Redis keys: one function per kind, normalized, versioned, hash-tagged, no secrets."""

from __future__ import annotations

import enum
import re
from typing import Any

import pytest
from redis.crc import key_slot

from service.store import keys

TAG = re.compile(r"\{([^}]*)\}")


class Queue(enum.Enum):
    DISC = "disc"


def slot(key: str) -> int:
    return int(key_slot(key.encode()))


def test_catalog_keys_ignore_parameter_order_and_term_spelling() -> None:
    first = keys.catalog("titles.search", term="The  Matrix\t", start_index=0, page_size=25)
    second = keys.catalog("titles.search", page_size=25, start_index=0, term="the matrix")
    assert first == second
    assert first.startswith("nfx:v1:{cat:titles.search:")


def test_catalog_keys_differ_when_anything_that_matters_differs() -> None:
    base: dict[str, keys.ParamValue] = {"term": "matrix", "start_index": 0, "page_size": 25}
    variants = {
        keys.catalog("titles.search", **base),
        keys.catalog("titles.search", **{**base, "start_index": 25}),
        keys.catalog("titles.search", **{**base, "page_size": 10}),
        keys.catalog("titles.search", **{**base, "term": "matrix reloaded"}),
        keys.catalog("people.search", **base),
        keys.catalog("titles.search", **base, include="cast"),
    }
    assert len(variants) == 6


def test_none_is_the_same_as_absent_and_values_cannot_forge_others() -> None:
    assert keys.catalog("titles.get", ref="movies/1", include=None) == keys.catalog(
        "titles.get", ref="movies/1"
    )
    # A value containing the separator must not collide with two parameters.
    assert keys.catalog("titles.get", a="1&b=2") != keys.catalog("titles.get", a="1", b="2")


def test_only_the_term_is_case_folded() -> None:
    assert keys.catalog("titles.get", ref="movies/1") != keys.catalog("titles.get", ref="MOVIES/1")
    assert keys.canonical_params({"term": "ÉTÉ  Straße"}) == "term=11:été strasse"


def test_values_of_any_simple_type_are_accepted() -> None:
    assert keys.catalog("titles.get", flag=True, queue=Queue.DISC, count=3) == keys.catalog(
        "titles.get", flag="true", queue="disc", count="3"
    )


@pytest.mark.parametrize("resource", ["", "Titles", "titles search", "titles*", "a..b", "{x}"])
def test_bad_resource_names_are_refused(resource: str) -> None:
    with pytest.raises(ValueError, match="resource names"):
        keys.catalog(resource, term="x")


def test_bad_parameter_names_are_refused() -> None:
    with pytest.raises(ValueError, match="parameter names"):
        keys.canonical_params({"Term": "x"})


def test_cache_companions_share_the_entry_slot() -> None:
    entry = keys.catalog("titles.search", term="matrix")
    assert slot(keys.fill_lock(entry)) == slot(entry) == slot(keys.fill_failure(entry))
    assert keys.is_cache_entry(entry) and keys.is_cache_entry(entry.encode())
    assert not keys.is_cache_entry(keys.fill_lock(entry))
    assert not keys.is_cache_entry(keys.fill_failure(entry))
    with pytest.raises(ValueError, match="not a response-cache key"):
        keys.fill_lock("nfx:v1:{ses:abc}")


def test_cache_entries_spread_over_slots() -> None:
    slots = {slot(keys.catalog("titles.search", term=f"term {i}")) for i in range(50)}
    assert len(slots) > 40


def test_catalog_prefixes_and_patterns() -> None:
    entry = keys.catalog("titles.search", term="x")
    assert entry.startswith(keys.catalog_prefix("titles"))
    assert entry.startswith(keys.catalog_prefix("titles.search"))
    assert entry.startswith(keys.catalog_prefix())
    assert not entry.startswith(keys.catalog_prefix("people"))
    assert keys.catalog_pattern("titles") == "nfx:v1:{cat:titles[.:]*"
    assert keys.catalog_pattern() == "nfx:v1:{cat:*"
    assert keys.in_catalog_group(entry, "titles") and keys.in_catalog_group(entry)
    assert keys.in_catalog_group(entry, "titles.search")
    assert not keys.in_catalog_group(entry, "titles.s")
    assert not keys.in_catalog_group(entry, "people")


def test_queue_etag_and_lock_share_a_slot_per_user_and_queue() -> None:
    user = "T1abcdefghijklmnopqrstuvwxyz0123456789ABCDEF-"
    assert slot(keys.queue_etag(user, "disc")) == slot(keys.queue_lock(user, Queue.DISC))
    assert keys.queue_etag(user, "disc") != keys.queue_etag(user, "instant")
    assert keys.queue_etag(user, "disc") != keys.queue_etag(user + "x", "disc")
    assert user not in keys.queue_etag(user, "disc")
    with pytest.raises(ValueError, match="user id"):
        keys.queue_lock("", "disc")


def test_budget_keys_live_in_the_consumer_slot() -> None:
    consumer, user = keys.budget("consumer-key", "access-token")
    assert user is not None
    every = [consumer.log, consumer.day, user.log, user.day]
    assert len(set(every)) == 4
    assert {slot(key) for key in every} == {slot(consumer.log)}
    assert not any("access-token" in key or "consumer-key" in key for key in every)
    assert keys.budget("consumer-key", None) == (consumer, None)
    assert keys.budget("consumer-key", "another")[1] != user


def test_session_and_request_token_keys_hold_only_hashes() -> None:
    bearer = "Yk3mQ0cF2pW7vJ9sT4xZ1aB6nD8eH5gK0lM2oP4rS6u"
    key = keys.session(bearer)
    assert bearer not in key
    assert keys.session_id(bearer) in key and len(keys.session_id(bearer)) == 64
    assert "request-token" not in keys.request_token("request-token")


def test_every_key_is_versioned_and_tagged() -> None:
    every = [
        keys.catalog("titles.get", ref="movies/1"),
        keys.session("b" * 43),
        keys.request_token("r"),
        keys.queue_etag("u", "disc"),
        keys.queue_lock("u", "disc"),
        *[key for pair in keys.budget("c", "t") if pair for key in (pair.log, pair.day)],
        keys.sign_in_budget("192.0.2.1").log,
    ]
    for key in every:
        assert key.startswith("nfx:v1:")
        assert TAG.search(key) is not None


def test_sign_in_buckets_hold_client_addresses_only_hashed() -> None:
    first, second = keys.sign_in_budget("192.0.2.1"), keys.sign_in_budget("192.0.2.2")
    assert first != second
    assert first.log.startswith("nfx:v1:{sig:")
    assert slot(first.log) == slot(first.day)
    assert "192.0.2" not in first.log + first.day


def test_catalog_keys_change_with_the_cached_format(monkeypatch: pytest.MonkeyPatch) -> None:
    before = keys.catalog("titles.get", ref="movies/1")
    monkeypatch.setattr(keys, "CATALOG_FORMAT", keys.CATALOG_FORMAT + 1)
    after = keys.catalog("titles.get", ref="movies/1")
    assert before != after
    assert after.startswith(keys.catalog_prefix("titles.get"))


def test_the_user_cache_format_is_bumped_with_the_models_it_stores() -> None:
    """The subscriber cache serves stored bodies as they are (the home screen embeds them):
    a change to one of its models must come with a new `USER_FORMAT`, then a new pin here."""
    from hashlib import sha256

    import orjson
    from pydantic import TypeAdapter

    from service.schemas.queues import QueueEntry, QueuePage
    from service.schemas.ratings import Rating
    from service.schemas.rentals import RentalEntry, RentalPage
    from service.schemas.titles import TitlePage
    from service.schemas.users import Feed, TitleState, User

    stored: list[Any] = [
        User,
        list[Feed],
        list[TitleState],
        QueuePage,
        QueueEntry,
        RentalPage,
        list[RentalEntry],
        list[Rating],
        TitlePage,
    ]
    schemas = [_shape(TypeAdapter(kind).json_schema(mode="serialization")) for kind in stored]
    digest = sha256(orjson.dumps(schemas, option=orjson.OPT_SORT_KEYS)).hexdigest()[:16]
    assert (keys.USER_FORMAT, digest) == (1, "ee8509f73eaeb09f")


def _shape(schema: object) -> object:
    """A JSON schema without its wording (descriptions, titles, examples): what bodies hold."""
    if isinstance(schema, dict):
        wording = {"description", "title", "examples"}
        return {
            k: {name: _shape(p) for name, p in v.items()}
            if k in ("properties", "$defs")
            else _shape(v)
            for k, v in schema.items()
            if k not in wording
        }
    if isinstance(schema, list):
        return [_shape(v) for v in schema]
    return schema
