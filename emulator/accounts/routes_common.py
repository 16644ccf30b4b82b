"""Authentication and answering shared by every `/users/...` resource.

A resource call is protected: signed with an access token whose subscriber is the path's
user. The lists advertised by `/users/{id}/feeds` may instead be opened with a feed token,
and are then answered as Atom.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import Response

from emulator.accounts.feeds import atom_response, feed_subscriber, is_feed_request, wants_feed
from emulator.accounts.state import Subscriber
from emulator.context import EmulatorContext
from emulator.document import Node
from emulator.http import NetflixError, respond
from emulator.oauth.provider import Level


async def subscriber_for(ctx: EmulatorContext, request: Request) -> Subscriber:
    """The subscriber of the `{user_id}` path, which the access token must belong to."""
    if is_feed_request(request):
        return feed_subscriber(ctx, request)
    principal = await ctx.oauth.authenticate(request, Level.PROTECTED)
    user_id = ctx.oauth.require_user(principal, request.path_params["user_id"])
    subscriber = ctx.accounts.get(user_id)
    if subscriber is None:
        raise NetflixError(401, "User ID is invalid")
    return subscriber


def answer(
    ctx: EmulatorContext,
    request: Request,
    subscriber: Subscriber,
    node: Node,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A listing in the asked format: Atom for feed requests, else Netflix XML or JSON."""
    if wants_feed(request):
        return atom_response(request, subscriber, node, int(ctx.clock()))
    return respond(request, node, headers=headers)
