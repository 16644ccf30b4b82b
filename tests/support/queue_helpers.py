"""Helpers of the queue tests against the in-process emulator: who is queued, what is addable."""

from __future__ import annotations

from emulator.accounts.formats import disc_formats
from emulator.accounts.queues import Queue
from tests.support.proxy import Proxy


def auth(session: str) -> dict[str, str]:
    """The Authorization header of a proxy session."""
    return {"Authorization": f"Bearer {session}"}


def emulator_queue(proxy: Proxy, user_id: str, kind: str = "disc") -> Queue:
    """The emulator's own queue object of a subscriber (the upstream truth)."""
    subscriber = proxy.emulator.state.context.accounts.get(user_id)
    assert subscriber is not None
    queue: Queue = subscriber.queue(kind)
    return queue


def addable_movies(proxy: Proxy, user_id: str, count: int) -> list[str]:
    """Movies on disc that are neither in the user's disc queue nor at home."""
    context = proxy.emulator.state.context
    subscriber = context.accounts.get(user_id)
    assert subscriber is not None
    queue = subscriber.queue("disc")
    taken = {e.title.id for e in queue.available + queue.saved} | subscriber.history.at_home_ids()
    found = [
        f"movies/{t.id}"
        for t in context.catalog.titles
        if t.kind == "movies" and disc_formats(t) and t.id not in taken
    ]
    assert len(found) >= count
    return found[:count]


def available_ids(proxy: Proxy, user_id: str) -> list[str]:
    """Short ids of the available disc queue, in upstream order."""
    return [f"{e.title.kind}/{e.title.id}" for e in emulator_queue(proxy, user_id).available]
