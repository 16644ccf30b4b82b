"""Every protected `/users/...` resource of the emulator, as Starlette routes.

All of them authenticate at `Level.PROTECTED` and require the path's user id to be the
access token's own subscriber; errors are `NetflixError`s rendered by the middleware.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from emulator.accounts import params, render, routes_library, routes_queue
from emulator.accounts.render_library import LibraryView
from emulator.accounts.routes_common import subscriber_for
from emulator.context import EmulatorContext
from emulator.http import NetflixError, respond
from emulator.oauth.provider import Level


def routes(ctx: EmulatorContext) -> list[Route]:
    """The `/users/...` routes of one emulator instance."""
    base = ctx.config.public_base

    async def current_user(request: Request) -> Response:
        principal = await ctx.oauth.authenticate(request, Level.PROTECTED)
        subscriber = ctx.accounts.get(principal.user_id or "")
        if subscriber is None:
            raise NetflixError(401, "User ID is invalid")
        return respond(request, render.current_user_document(base, subscriber))

    async def user(request: Request) -> Response:
        subscriber = await subscriber_for(ctx, request)
        return respond(request, render.user_document(base, subscriber))

    async def feeds(request: Request) -> Response:
        subscriber = await subscriber_for(ctx, request)
        return respond(request, render.feeds_document(base, subscriber, ctx.config.consumer_key))

    async def queues(request: Request) -> Response:
        subscriber = await subscriber_for(ctx, request)
        return respond(request, render.queues_document(base, subscriber))

    async def title_states(request: Request) -> Response:
        subscriber = await subscriber_for(ctx, request)
        titles = params.title_refs(ctx.catalog, request.query_params)
        view = LibraryView(ctx.catalog, base, subscriber)
        return respond(request, view.title_states(titles))

    return [
        Route("/users/current", current_user, methods=["GET"]),
        Route("/users/{user_id}", user, methods=["GET"]),
        Route("/users/{user_id}/feeds", feeds, methods=["GET"]),
        Route("/users/{user_id}/title_states", title_states, methods=["GET"]),
        Route("/users/{user_id}/queues", queues, methods=["GET"]),
        *routes_queue.routes(ctx),
        *routes_library.routes(ctx),
    ]
