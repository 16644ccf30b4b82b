"""The queue resources: list, read one entry, add or move (POST), delete.

Writes await only while authenticating and reading the body; the etag check and the
mutation then run without any await, so concurrent writers cannot interleave.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from emulator.accounts import params
from emulator.accounts.formats import disc_formats, queue_format
from emulator.accounts.queues import Queue, normalize_etag
from emulator.accounts.render_queue import (
    Listed,
    QueueView,
    delete_status,
    listed_entries,
    write_status,
)
from emulator.accounts.routes_common import answer, subscriber_for
from emulator.accounts.state import QUEUE_KINDS, Subscriber
from emulator.catalog.render import parse_expand
from emulator.context import EmulatorContext
from emulator.http import NetflixError, parse_digits, respond

_STATES = ("available", "saved")
_NOT_FOUND = "Resource not found"


def _queue(subscriber: Subscriber, kind: str) -> Queue:
    if kind not in QUEUE_KINDS:
        raise NetflixError(404, _NOT_FOUND)
    return subscriber.queue(kind)


def _etag_header(queue: Queue) -> dict[str, str]:
    return {"ETag": f'"{queue.etag}"'}


def _sorted(listed: list[Listed], sort: str) -> list[Listed]:
    if sort == "alphabetical":
        return sorted(listed, key=lambda x: (x.entry.title.title.lower(), x.entry.title.id))
    if sort == "date_added":
        return sorted(listed, key=lambda x: (-x.entry.added, x.entry.title.id))
    return listed


def _entry(queue: Queue, state: str, entry: str) -> Listed:
    """An entry from `{position}/{title_id}` (available only) or `{title_id}`; 404 otherwise."""
    parts = [parse_digits(p) for p in entry.strip("/").split("/")]
    title_id = parts[-1]
    if title_id is None or None in parts or len(parts) > (2 if state == "available" else 1):
        raise NetflixError(404, _NOT_FOUND)
    if state == "saved":
        saved = queue.find_saved(title_id)
        if saved is not None:
            return Listed(saved, None)
    else:
        found = queue.position_of(title_id)
        if found is not None:
            return Listed(queue.available[found - 1], found)
    raise NetflixError(404, "Title is not in Queue", 610)


def routes(ctx: EmulatorContext) -> list[Route]:
    """Routes of `/users/{id}/queues/...`."""
    base = ctx.config.public_base

    def view(subscriber: Subscriber, queue: Queue, request: Request) -> QueueView:
        expand = parse_expand(request.query_params.get("expand"))
        return QueueView(ctx.catalog, base, subscriber.user_id, queue, expand)

    async def list_queue(request: Request) -> Response:
        subscriber = await subscriber_for(ctx, request)
        queue = _queue(subscriber, request.path_params["kind"])
        state = request.path_params.get("state")
        if state is not None and state not in _STATES:
            raise NetflixError(404, _NOT_FOUND)
        query = request.query_params
        page = params.page(query)
        sort = params.queue_sort(query)
        since = params.updated_min(query)
        if_none_match = request.headers.get("if-none-match")
        if if_none_match is not None and normalize_etag(if_none_match) == queue.etag:
            return Response(status_code=304, headers=_etag_header(queue))
        listed = _sorted(listed_entries(queue, state), sort)
        if since is not None:
            listed = [x for x in listed if x.entry.updated >= since]
        shown = listed[page.start_index : page.start_index + page.max_results]
        node = view(subscriber, queue, request).document(
            shown, len(listed), page.start_index, state
        )
        return answer(ctx, request, subscriber, node, headers=_etag_header(queue))

    async def queue_entry(request: Request) -> Response:
        subscriber = await subscriber_for(ctx, request)
        queue = _queue(subscriber, request.path_params["kind"])
        state = request.path_params["state"]
        if state not in _STATES:
            raise NetflixError(404, _NOT_FOUND)
        listed = _entry(queue, state, request.path_params["entry"])
        if request.method == "DELETE":
            queue.remove(listed.entry.title.id, saved=listed.position is None)
            return respond(request, delete_status(queue), headers=_etag_header(queue))
        return respond(
            request, view(subscriber, queue, request).item(listed), headers=_etag_header(queue)
        )

    async def add_entry(request: Request) -> Response:
        subscriber = await subscriber_for(ctx, request)
        queue = _queue(subscriber, request.path_params["kind"])
        values = await params.write_params(request)
        rendering = view(subscriber, queue, request)  # a bad `expand` fails before any change
        # From here on: no awaits, so the check-and-mutate below is atomic.
        ref = values.get("title_ref", "").strip()
        if not ref:
            raise NetflixError(400, "title_ref is invalid")
        position = params.position(values.get("position"))
        title = ctx.catalog.resolve_ref(ref)
        if title is None:
            raise NetflixError(400, "Title not found or not available", 130)
        if queue.kind == "instant" and not subscriber.can_instant_watch:
            raise NetflixError(400, "Invalid format for this user")
        fmt = queue_format(queue.kind, title, subscriber.preferred_formats)
        if fmt is None:
            raise NetflixError(400, "Title not found or not available", 130)
        wanted = values.get("format")
        if wanted and queue.kind == "disc":
            if wanted not in disc_formats(title):
                raise NetflixError(400, "Invalid title format", 660)
            fmt = wanted
        etag = values.get("etag") or request.headers.get("if-match")
        result = queue.add(
            title,
            fmt,
            position,
            etag=etag,
            now=int(ctx.clock()),
            max_size=ctx.config.queue_max_size,
            at_home=(subscriber.history.at_home_ids() if queue.kind == "disc" else frozenset()),
        )
        node = write_status(rendering, Listed(result.entry, result.position), moved=result.moved)
        return respond(request, node, 201, headers=_etag_header(queue))

    prefix = "/users/{user_id}/queues/{kind}"
    return [
        Route(prefix, list_queue, methods=["GET"]),
        Route(prefix, add_entry, methods=["POST"]),
        Route(prefix + "/{state}", list_queue, methods=["GET"]),
        Route(prefix + "/{state}/{entry:path}", queue_entry, methods=["GET", "DELETE"]),
    ]
