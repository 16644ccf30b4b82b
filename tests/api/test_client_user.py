"""NetflixClient subscriber calls against the in-process emulator, XML and JSON."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from starlette.applications import Starlette

from emulator import create_emulator
from service.errors import AlreadyInQueue, InvalidInput, InvalidSession, NotFound, StaleEtag
from service.netflix.client import AccessToken, NetflixClient, SubscriberClient
from service.netflix.refs import TitleRef
from service.schemas.queues import QueueSort, QueueState, QueueType
from service.schemas.ratings import RatingKind
from service.schemas.rentals import RentalKind
from service.schemas.titles import TitleFormat, TitlePart
from tests.support.emulator_client import emulator_client, upstream_config


@dataclass
class Subscriber:
    client: NetflixClient
    token: AccessToken
    user_id: str

    @property
    def me(self) -> SubscriberClient:
        return self.client.for_subscriber(self)


@pytest.fixture
def app() -> Starlette:
    return create_emulator(upstream_config())


@pytest.fixture(params=[False, True], ids=["xml", "json"])
async def sub(request: pytest.FixtureRequest, app: Starlette) -> AsyncIterator[Subscriber]:
    user_id, token, secret = app.state.context.oauth.demo_tokens()[0]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as http:
        client = emulator_client(http, prefer_json=request.param)
        yield Subscriber(client, AccessToken(token, secret), user_id)


async def _unqueued(sub: Subscriber, queue: QueueType) -> TitleRef:
    page, _ = await sub.me.queue(queue)
    queued = {e.title.id for e in page.items}
    found = await sub.client.search_titles("a", max_results=100, expand=[TitlePart.FORMATS])
    for title in found.items:
        instant = TitleFormat.INSTANT in (title.formats or [])
        if title.id not in queued and (queue is QueueType.DISC or instant):
            return TitleRef.parse(title.id)
    pytest.skip("every candidate title is already queued")


async def test_profile_feeds_and_current_user(sub: Subscriber) -> None:
    user = await sub.me.user()
    assert user.user_id == sub.user_id and user.first_name
    assert await sub.client.current_user_id(sub.token) == sub.user_id
    feeds = await sub.me.feeds()
    assert feeds and all(f.url.startswith("http") for f in feeds)


async def test_queue_read_add_move_and_remove(sub: Subscriber) -> None:
    c = sub.me
    page, etag = await c.queue(QueueType.DISC, max_results=500)
    ref = await _unqueued(sub, QueueType.DISC)
    entry, etag2 = await c.add_to_queue(QueueType.DISC, ref, position=None, etag=etag)
    assert entry.title.id == ref.short and etag2 != etag
    assert entry.state is QueueState.AVAILABLE and entry.position is not None
    with pytest.raises(AlreadyInQueue):
        await c.add_to_queue(QueueType.DISC, ref, position=None, etag=etag2)
    with pytest.raises(StaleEtag):
        await c.add_to_queue(QueueType.DISC, ref, position=1, etag=etag)
    moved, etag3 = await c.add_to_queue(QueueType.DISC, ref, position=1, etag=etag2)
    assert moved.position == 1 and etag3 != etag2
    fetched = await c.queue_entry(QueueType.DISC, ref)
    assert (fetched.position, fetched.title.id) == (1, ref.short)
    etag4 = await c.remove_from_queue(QueueType.DISC, ref, state=QueueState.AVAILABLE)
    assert etag4 and etag4 != etag3
    with pytest.raises(NotFound, match="not in the queue"):
        await c.queue_entry(QueueType.DISC, ref)
    with pytest.raises(NotFound, match="not in the queue"):
        await c.remove_from_queue(QueueType.DISC, ref, state=QueueState.AVAILABLE)
    after, _ = await c.queue(QueueType.DISC, max_results=500)
    assert after.total == page.total


async def test_queue_listing_options(sub: Subscriber) -> None:
    c = sub.me
    first, _ = await c.queue(
        QueueType.DISC,
        state=QueueState.AVAILABLE,
        max_results=2,
        sort=QueueSort.ALPHABETICAL,
    )
    assert len(first.items) <= 2
    names = [e.title.title.lower() for e in first.items]
    assert names == sorted(names)
    assert all(e.state is QueueState.AVAILABLE for e in first.items)
    instant, etag = await c.queue(QueueType.INSTANT)
    assert etag and all(e.queue is QueueType.INSTANT for e in instant.items)


async def test_title_states_ratings_and_set_rating(sub: Subscriber) -> None:
    c = sub.me
    found = await sub.client.search_titles("the", max_results=3)
    refs = [TitleRef.parse(t.id) for t in found.items]
    states = await c.title_states(refs)
    assert [s.id for s in states] == [r.short for r in refs]
    predicted = await c.ratings(refs, kind=RatingKind.PREDICTED)
    assert [r.id for r in predicted] == [r.short for r in refs]
    created = await c.set_rating(refs[0], 4)
    assert (created.id, created.user_rating) == (refs[0].short, 4.0)
    updated = await c.set_rating(refs[0], 2)
    assert updated.user_rating == 2.0
    (actual,) = await c.ratings(refs[:1], kind=RatingKind.ACTUAL)
    assert actual.user_rating == 2.0
    with pytest.raises(InvalidInput):
        await c.set_rating(refs[0], 9)


async def test_many_title_refs_are_chunked(sub: Subscriber) -> None:
    page = await sub.client.search_titles("the", max_results=100)
    refs = [TitleRef.parse(t.id) for t in page.items]
    assert len(refs) > 50  # more than one upstream chunk
    states = await sub.me.title_states(refs)
    assert [s.id for s in states] == [r.short for r in refs]


async def test_rental_history_and_recommendations(sub: Subscriber) -> None:
    c = sub.me
    for kind in RentalKind:
        page = await c.rental_history(kind, max_results=5)
        assert len(page.items) <= 5 and page.total >= len(page.items)
    home = await c.at_home()
    assert all(e.shipped_at is not None for e in home)
    recommended = await c.recommendations(max_results=4)
    assert len(recommended.items) == 4 and recommended.next == 4
    assert all(t.predicted_rating is not None for t in recommended.items)


async def test_a_rejected_token_is_an_invalid_session(sub: Subscriber) -> None:
    bad = AccessToken(sub.token.token, "not-the-secret")
    with pytest.raises(InvalidSession, match="access token was rejected"):
        await sub.client.for_subscriber(Subscriber(sub.client, bad, sub.user_id)).user()
    with pytest.raises(InvalidInput):
        sub.client.for_subscriber(Subscriber(sub.client, sub.token, "../catalog"))
