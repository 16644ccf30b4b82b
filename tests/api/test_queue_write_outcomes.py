"""Queue writes whose upstream call fails: the proxy reads the queue back and answers the truth.

A transport between the proxy and the in-process emulator breaks queue writes the way a
network does: after the emulator applied them (the answer is lost: dropped connection,
timeout, 502 from a gateway) or before they reach it. The emulator's own queue is the truth
the answers are checked against.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.support.metrics import reconciliations, scrape
from tests.support.proxy import Proxy, running_proxy
from tests.support.queue_helpers import addable_movies, auth, available_ids, emulator_queue


def _lost_answer(request: httpx.Request) -> httpx.Response:
    raise httpx.RemoteProtocolError("Server disconnected without sending a response.")


def _timed_out(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("timed out", request=request)


def _gateway_error(request: httpx.Request) -> httpx.Response:
    return httpx.Response(502, text="Bad Gateway", request=request)


class BreaksWrites(httpx.AsyncBaseTransport):
    """Breaks the next `times` upstream queue writes (None: all) with `failure`; `applied`
    says whether the emulator performs the write first."""

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        failure: object,
        *,
        applied: bool,
        times: int | None = 1,
    ) -> None:
        self.inner = inner
        self.failure = failure
        self.applied = applied
        self.left = times
        self.writes = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "GET" or "/queues/" not in request.url.path:
            return await self.inner.handle_async_request(request)
        self.writes += 1
        if self.left == 0:
            return await self.inner.handle_async_request(request)
        self.left = None if self.left is None else self.left - 1
        if self.applied:
            answer = await self.inner.handle_async_request(request)
            await answer.aread()
        assert callable(self.failure)
        response: httpx.Response = self.failure(request)
        return response


@pytest.fixture
async def proxy(redis_url: str) -> AsyncIterator[Proxy]:
    async with running_proxy(redis_url, budget_user_per_s=200.0) as running:
        yield running


def _break(proxy: Proxy, failure: object, *, applied: bool, times: int | None = 1) -> BreaksWrites:
    broken = BreaksWrites(proxy.upstream.inner, failure, applied=applied, times=times)
    proxy.upstream.inner = broken
    return broken


@pytest.mark.parametrize("failure", [_lost_answer, _timed_out, _gateway_error])
async def test_an_add_applied_upstream_answers_201_whatever_became_of_its_answer(
    proxy: Proxy, failure: object
) -> None:
    session, user_id = await proxy.sign_in()
    (title,) = addable_movies(proxy, user_id, 1)
    broken = _break(proxy, failure, applied=True)
    before = await scrape(proxy)
    added = await proxy.client.post(
        "/v1/me/queues/disc/entries", headers=auth(session), json={"title": title}
    )
    assert added.status_code == 201, added.text
    after = await scrape(proxy)
    assert reconciliations(after, "applied") == reconciliations(before, "applied") + 1
    assert added.json()["title"]["id"] == title
    assert added.headers["location"] == f"/v1/me/queues/disc/entries/{title}"
    assert available_ids(proxy, user_id).count(title) == 1
    assert broken.writes == 1, "the applied add was sent again"


async def test_an_add_at_a_position_applied_upstream_answers_its_entry(proxy: Proxy) -> None:
    session, user_id = await proxy.sign_in()
    (title,) = addable_movies(proxy, user_id, 1)
    _break(proxy, _lost_answer, applied=True)
    added = await proxy.client.post(
        "/v1/me/queues/disc/entries", headers=auth(session), json={"title": title, "position": 1}
    )
    assert added.status_code == 201, added.text
    assert added.json()["position"] == 1
    assert available_ids(proxy, user_id)[0] == title


async def test_an_add_that_never_arrived_is_sent_again(proxy: Proxy) -> None:
    session, user_id = await proxy.sign_in()
    (title,) = addable_movies(proxy, user_id, 1)
    broken = _break(proxy, _lost_answer, applied=False)
    before = await scrape(proxy)
    added = await proxy.client.post(
        "/v1/me/queues/disc/entries", headers=auth(session), json={"title": title}
    )
    assert added.status_code == 201, added.text
    assert available_ids(proxy, user_id).count(title) == 1
    assert broken.writes == 2
    after = await scrape(proxy)
    assert reconciliations(after, "not_applied") == reconciliations(before, "not_applied") + 1


async def test_an_add_that_keeps_failing_answers_the_upstream_error(proxy: Proxy) -> None:
    session, user_id = await proxy.sign_in()
    (title,) = addable_movies(proxy, user_id, 1)
    broken = _break(proxy, _gateway_error, applied=False, times=None)
    added = await proxy.client.post(
        "/v1/me/queues/disc/entries", headers=auth(session), json={"title": title}
    )
    assert added.status_code == 502, added.text
    assert title not in available_ids(proxy, user_id)
    assert broken.writes == proxy.settings.etag_retries + 1


async def test_an_add_that_timed_out_and_did_not_happen_is_retried(proxy: Proxy) -> None:
    session, user_id = await proxy.sign_in()
    (title,) = addable_movies(proxy, user_id, 1)
    _break(proxy, _timed_out, applied=False, times=None)
    added = await proxy.client.post(
        "/v1/me/queues/disc/entries", headers=auth(session), json={"title": title}
    )
    assert added.status_code == 504, added.text
    assert title not in available_ids(proxy, user_id)


async def test_an_unreadable_outcome_is_said_to_be_unknown(proxy: Proxy) -> None:
    session, user_id = await proxy.sign_in()
    (title,) = addable_movies(proxy, user_id, 1)
    broken = _break(proxy, _lost_answer, applied=True)

    class NoReadsAfterTheWrite(httpx.AsyncBaseTransport):
        def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
            self.inner = inner

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if request.method == "GET" and "/queues/" in request.url.path and broken.writes:
                return httpx.Response(503, text="Service Unavailable", request=request)
            return await self.inner.handle_async_request(request)

    proxy.upstream.inner = NoReadsAfterTheWrite(proxy.upstream.inner)
    before = await scrape(proxy)
    added = await proxy.client.post(
        "/v1/me/queues/disc/entries", headers=auth(session), json={"title": title}
    )
    assert added.status_code == 502, added.text
    assert "unknown" in added.json()["detail"]
    after = await scrape(proxy)
    assert reconciliations(after, "unknown") == reconciliations(before, "unknown") + 1


async def test_a_move_applied_upstream_answers_200(proxy: Proxy) -> None:
    session, user_id = await proxy.sign_in()
    last = available_ids(proxy, user_id)[-1]
    broken = _break(proxy, _lost_answer, applied=True)
    moved = await proxy.client.patch(
        f"/v1/me/queues/disc/entries/{last}", headers=auth(session), json={"position": 1}
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["position"] == 1
    assert available_ids(proxy, user_id)[0] == last
    assert broken.writes == 1


async def test_a_move_past_the_end_applied_upstream_answers_200(proxy: Proxy) -> None:
    session, user_id = await proxy.sign_in()
    before = available_ids(proxy, user_id)
    _break(proxy, _timed_out, applied=True)
    moved = await proxy.client.patch(
        f"/v1/me/queues/disc/entries/{before[0]}", headers=auth(session), json={"position": 9999}
    )
    assert moved.status_code == 200, moved.text
    assert available_ids(proxy, user_id)[-1] == before[0]


async def test_a_delete_applied_upstream_answers_204(proxy: Proxy) -> None:
    session, user_id = await proxy.sign_in()
    first = available_ids(proxy, user_id)[0]
    broken = _break(proxy, _gateway_error, applied=True)
    removed = await proxy.client.delete(
        f"/v1/me/queues/disc/entries/{first}", headers=auth(session)
    )
    assert removed.status_code == 204, removed.text
    assert first not in available_ids(proxy, user_id)
    assert broken.writes == 1


async def test_a_delete_that_never_arrived_is_sent_again(proxy: Proxy) -> None:
    session, user_id = await proxy.sign_in()
    first = available_ids(proxy, user_id)[0]
    broken = _break(proxy, _lost_answer, applied=False)
    removed = await proxy.client.delete(
        f"/v1/me/queues/disc/entries/{first}", headers=auth(session)
    )
    assert removed.status_code == 204, removed.text
    assert first not in available_ids(proxy, user_id)
    assert broken.writes == 2


async def test_a_reorder_whose_every_move_lost_its_answer_completes(proxy: Proxy) -> None:
    session, user_id = await proxy.sign_in()
    before = available_ids(proxy, user_id)
    desired = list(reversed(before))
    broken = _break(proxy, _lost_answer, applied=True, times=None)
    answer = await proxy.client.put(
        "/v1/me/queues/disc/order", headers=auth(session), json={"titles": desired}
    )
    assert answer.status_code == 200, answer.text
    assert available_ids(proxy, user_id) == desired
    assert answer.json()["moves"] == broken.writes == len(before) - 1
    assert [i["title"]["id"] for i in answer.json()["queue"]["items"]] == desired
    assert emulator_queue(proxy, user_id).generation >= broken.writes
