"""Sessions and pending sign-ins: hashed bearer tokens, encrypted secrets, single use."""

from __future__ import annotations

import asyncio

import pytest
from cryptography.fernet import Fernet
from redis.asyncio.cluster import RedisCluster

from service.errors import StoreUnavailable
from service.netflix.client import AccessToken
from service.settings import Settings
from service.store import keys
from service.store.crypto import TokenCipher, UndecryptableError
from service.store.redis import RedisLike, as_bytes, connect
from service.store.sessions import PendingSignIn, RequestTokenStore, SessionStore
from tests.support.store_backends import settings_for

pytestmark = pytest.mark.integration

ALICE = "T1aliceAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA-"
BOB = "T1bobBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB-"
ALICE_TOKEN = AccessToken("alice-access-token-1234", "alice-secret-SHOULD-NOT-LEAK")
BOB_TOKEN = AccessToken("bob-access-token-5678", "bob-secret-SHOULD-NOT-LEAK")


async def everything_in(client: RedisLike) -> bytes:
    """Every key and every value of the store, concatenated (strings and hashes)."""
    dump = b""
    async for key in client.scan_iter(match="*"):
        kind = await client.type(key)
        dump += (as_bytes(key) or b"") + b"\n"
        if kind == b"string":
            dump += as_bytes(await client.get(key)) or b""
        elif kind == b"hash":
            for field, value in (await client.hgetall(key)).items():
                dump += (as_bytes(field) or b"") + b"=" + (as_bytes(value) or b"")
        dump += b"\n"
    return dump


async def test_session_resolves_to_its_own_user(store: RedisLike) -> None:
    sessions = SessionStore(store, settings_for(None))
    alice = await sessions.create(ALICE, ALICE_TOKEN)
    bob = await sessions.create(BOB, BOB_TOKEN)
    resolved_alice = await sessions.resolve(alice)
    resolved_bob = await sessions.resolve(bob)
    assert resolved_alice is not None and resolved_bob is not None
    assert (resolved_alice.user_id, resolved_alice.token) == (ALICE, ALICE_TOKEN)
    assert (resolved_bob.user_id, resolved_bob.token) == (BOB, BOB_TOKEN)
    assert resolved_alice.session_id != resolved_bob.session_id
    assert len(alice) >= 43 and alice != bob


async def test_unknown_and_malformed_tokens_resolve_to_nothing(store: RedisLike) -> None:
    sessions = SessionStore(store, settings_for(None))
    await sessions.create(ALICE, ALICE_TOKEN)
    assert await sessions.resolve("A" * 43) is None
    assert await sessions.resolve("") is None
    assert await sessions.resolve("not a token {}") is None
    assert await sessions.resolve("x" * 10_000) is None


async def test_only_hashes_and_ciphertext_reach_redis(store: RedisLike) -> None:
    sessions = SessionStore(store, settings_for(None))
    pending = RequestTokenStore(store, settings_for(None))
    bearer = await sessions.create(ALICE, ALICE_TOKEN)
    await pending.put(
        "request-token-abc", "request-secret-SHOULD-NOT-LEAK", 60, "https://app.example/after"
    )
    dump = await everything_in(store)
    assert dump  # the scan saw the entries
    for secret in (
        bearer,
        ALICE,
        ALICE_TOKEN.token,
        ALICE_TOKEN.secret,
        "request-token-abc",
        "request-secret-SHOULD-NOT-LEAK",
        "app.example",
    ):
        assert secret.encode() not in dump
    assert keys.session_id(bearer).encode() in dump  # stored under the hash


async def test_a_ciphertext_moved_to_another_session_does_not_open_it(store: RedisLike) -> None:
    sessions = SessionStore(store, settings_for(None))
    alice = await sessions.create(ALICE, ALICE_TOKEN)
    bob = await sessions.create(BOB, BOB_TOKEN)
    alice_blob = await store.get(keys.session(alice))
    assert alice_blob is not None
    await store.set(keys.session(bob), alice_blob)  # someone with write access swaps blobs
    assert await sessions.resolve(bob) is None
    resolved = await sessions.resolve(alice)
    assert resolved is not None and resolved.user_id == ALICE


async def test_revoked_sessions_stop_resolving(store: RedisLike) -> None:
    sessions = SessionStore(store, settings_for(None))
    alice = await sessions.create(ALICE, ALICE_TOKEN)
    bob = await sessions.create(BOB, BOB_TOKEN)
    assert await sessions.revoke(alice) is True
    assert await sessions.revoke(alice) is False
    assert await sessions.resolve(alice) is None
    assert await sessions.resolve(bob) is not None


async def test_sessions_expire(store: RedisLike) -> None:
    sessions = SessionStore(store, settings_for(None, session_ttl_s=1))
    bearer = await sessions.create(ALICE, ALICE_TOKEN)
    assert 0 < await store.pttl(keys.session(bearer)) <= 1000
    await asyncio.sleep(1.1)
    assert await sessions.resolve(bearer) is None


async def test_sessions_from_another_key_are_refused(store: RedisLike) -> None:
    old = SessionStore(store, settings_for(None))
    bearer = await old.create(ALICE, ALICE_TOKEN)
    new = SessionStore(store, settings_for(None))  # another ephemeral key
    assert await new.resolve(bearer) is None
    assert await store.exists(keys.session(bearer)) == 0  # unusable, so dropped


async def test_key_rotation_keeps_old_sessions(store: RedisLike) -> None:
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    before = SessionStore(store, Settings(token_encryption_key=old_key))
    bearer = await before.create(ALICE, ALICE_TOKEN)
    after = SessionStore(store, Settings(token_encryption_key=f"{new_key},{old_key}"))
    resolved = await after.resolve(bearer)
    assert resolved is not None and resolved.token == ALICE_TOKEN


async def test_one_settings_object_shares_its_ephemeral_key(store: RedisLike) -> None:
    settings = settings_for(None)
    bearer = await SessionStore(store, settings).create(ALICE, ALICE_TOKEN)
    assert await SessionStore(store, settings).resolve(bearer) is not None


async def test_request_tokens_are_single_use(store: RedisLike) -> None:
    pending = RequestTokenStore(store, settings_for(None))
    await pending.put("rt-1", "secret-1", 60, "https://app.example/done")
    await pending.put("rt-2", "secret-2", 60, None)
    results = await asyncio.gather(*(pending.pop("rt-1") for _ in range(20)))
    assert [r for r in results if r is not None] == [
        PendingSignIn("secret-1", "https://app.example/done")
    ]
    assert await pending.pop("rt-2") == PendingSignIn("secret-2", None)
    assert await pending.pop("rt-2") is None
    assert await pending.pop("never-issued") is None


async def test_a_browser_bound_sign_in_is_finished_only_by_that_browser(
    store: RedisLike,
) -> None:
    pending = RequestTokenStore(store, settings_for(None))
    await pending.put("rt-1", "secret-1", 60, None, browser_cookie="cookie-of-the-browser")
    await pending.put("rt-2", "secret-2", 60, None)
    assert b"cookie-of-the-browser" not in await everything_in(store)
    bound = await pending.pop("rt-1")
    assert bound is not None and not bound.app_bound
    assert bound.finished_by("cookie-of-the-browser")
    assert not bound.finished_by("another-cookie") and not bound.finished_by(None)
    unbound = await pending.pop("rt-2")
    assert unbound is not None
    assert not unbound.finished_by(None)  # bound to nobody: nobody finishes it


async def test_an_app_bound_sign_in_is_completed_then_claimed_by_its_secret(
    store: RedisLike,
) -> None:
    pending = RequestTokenStore(store, settings_for(None))
    await pending.put("rt-1", "secret-1", 60, "https://app.example/", app_secret="app-secret")
    assert b"app-secret" not in await everything_in(store)
    started = await pending.peek("rt-1")
    assert started is not None and started.app_bound and not started.completed
    assert started.claimed_by("app-secret")
    assert not started.claimed_by("other") and not started.finished_by(None)
    access = AccessToken("access-1", "access-secret-1")
    assert await pending.complete("rt-1", started, "user-1", access)
    assert b"access-secret-1" not in await everything_in(store)
    done = await pending.peek("rt-1")
    assert done is not None and done.completed
    assert (done.user_id, done.access, done.return_to) == ("user-1", access, "https://app.example/")
    assert done.claimed_by("app-secret")
    assert await pending.pop("rt-1") is not None
    assert not await pending.complete("rt-1", started, "user-1", access)  # gone: not revived
    assert await pending.peek("rt-1") is None


async def test_request_tokens_expire(store: RedisLike) -> None:
    pending = RequestTokenStore(store, settings_for(None))
    await pending.put("rt-1", "secret-1", 0.2, None)
    await asyncio.sleep(0.3)
    assert await pending.pop("rt-1") is None


async def test_sessions_need_the_store(down_store: RedisLike) -> None:
    sessions = SessionStore(down_store, settings_for(None))
    with pytest.raises(StoreUnavailable):
        await sessions.create(ALICE, ALICE_TOKEN)
    with pytest.raises(StoreUnavailable):
        await sessions.resolve("A" * 43)
    with pytest.raises(StoreUnavailable):
        await RequestTokenStore(down_store, settings_for(None)).pop("rt-1")


async def test_sessions_spread_over_a_cluster(redis_cluster_url: str) -> None:
    client = connect(settings_for(redis_cluster_url, cluster=True))
    assert isinstance(client, RedisCluster)
    try:
        sessions = SessionStore(client, settings_for(None))
        bearers = [await sessions.create(ALICE, ALICE_TOKEN) for _ in range(30)]
        nodes = {
            getattr(client.get_node_from_key(keys.session(bearer)), "name", None)
            for bearer in bearers
        }
        assert len(nodes) == 3
        assert all(await asyncio.gather(*(sessions.resolve(b) for b in bearers)))
    finally:
        await client.aclose()


def test_cipher_binds_ciphertext_to_its_context() -> None:
    cipher = TokenCipher([Fernet.generate_key()])
    blob = cipher.encrypt(b"payload", context="key-a")
    assert cipher.decrypt(blob, context="key-a") == b"payload"
    with pytest.raises(UndecryptableError):
        cipher.decrypt(blob, context="key-b")
    with pytest.raises(UndecryptableError):
        TokenCipher([Fernet.generate_key()]).decrypt(blob, context="key-a")
    with pytest.raises(UndecryptableError):
        cipher.decrypt(b"garbage", context="key-a")
