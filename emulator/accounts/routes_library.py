"""Rental history, discs at home, recommendations, reviews and ratings of a subscriber."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from emulator.accounts import params
from emulator.accounts.formats import title_pool
from emulator.accounts.history import HISTORY_KINDS
from emulator.accounts.ratings import parse_rating
from emulator.accounts.render import SCHEMAS, link
from emulator.accounts.render_library import LibraryView
from emulator.accounts.routes_common import answer, subscriber_for
from emulator.accounts.state import Subscriber
from emulator.catalog.data import Catalog, Title
from emulator.catalog.render import parse_expand
from emulator.context import EmulatorContext
from emulator.document import el
from emulator.http import NetflixError, parse_digits, respond, status_document

# How many titles a subscriber's recommendation list holds at most.
RECOMMENDATIONS_LIMIT = 250
_NOT_FOUND = "Resource not found"


def recommended(catalog: Catalog, subscriber: Subscriber) -> list[Title]:
    """Titles the subscriber has not queued, rented or rated, best predicted first."""
    seen = set(subscriber.ratings.actual) | {r.title.id for r in subscriber.history.rentals}
    for queue in subscriber.queues.values():
        seen.update(e.title.id for e in (*queue.available, *queue.saved))
    candidates = [t for t in title_pool(catalog) if t.id not in seen]
    candidates.sort(key=lambda t: (-subscriber.ratings.predicted(t), t.id))
    return candidates[:RECOMMENDATIONS_LIMIT]


def routes(ctx: EmulatorContext) -> list[Route]:
    """Routes of the library resources under `/users/{id}`."""

    async def library(request: Request) -> LibraryView:
        subscriber = await subscriber_for(ctx, request)
        expand = parse_expand(request.query_params.get("expand"))
        return LibraryView(ctx.catalog, ctx.config.public_base, subscriber, expand)

    async def rental_history(request: Request) -> Response:
        view = await library(request)
        kind = request.path_params.get("kind")
        if kind is not None and kind not in HISTORY_KINDS:
            raise NetflixError(404, _NOT_FOUND)
        page = params.page(request.query_params)
        since = params.updated_min(request.query_params)
        rentals = view.subscriber.history.of_kind(kind)
        if since is not None:
            rentals = [r for r in rentals if r.updated >= since]
        shown = rentals[page.start_index : page.start_index + page.max_results]
        return answer(
            ctx,
            request,
            view.subscriber,
            view.rental_history(shown, len(rentals), page.start_index, len(shown), kind),
        )

    async def at_home(request: Request) -> Response:
        view = await library(request)
        return answer(
            ctx, request, view.subscriber, view.at_home(view.subscriber.history.at_home())
        )

    async def recommendations(request: Request) -> Response:
        view = await library(request)
        page = params.page(request.query_params)
        titles = recommended(ctx.catalog, view.subscriber)
        shown = titles[page.start_index : page.start_index + page.max_results]
        return answer(
            ctx,
            request,
            view.subscriber,
            view.recommendations(shown, len(titles), page.start_index, page.max_results),
        )

    async def recommendation(request: Request) -> Response:
        view = await library(request)
        wanted = parse_digits(request.path_params["title_id"])
        title = next((t for t in recommended(ctx.catalog, view.subscriber) if t.id == wanted), None)
        if title is None:
            raise NetflixError(404, _NOT_FOUND)
        return respond(request, view.recommendation(title))

    async def reviews(request: Request) -> Response:
        # The API linked to reviews but no shape was ever recorded: an empty collection.
        view = await library(request)
        page = params.page(request.query_params)
        return respond(
            request,
            el(
                "reviews",
                None,
                el("url_template", f"{view.base}/reviews?{{-join|&|start_index|max_results}}"),
                el("number_of_results", 0),
                el("start_index", page.start_index),
                el("results_per_page", 0),
            ),
        )

    async def ratings_root(request: Request) -> Response:
        view = await library(request)
        return respond(
            request,
            el(
                "ratings",
                None,
                link(f"{view.base}/ratings/title", f"{SCHEMAS}/ratings.title", "title ratings"),
                link(
                    f"{view.base}/ratings/title/actual",
                    f"{SCHEMAS}/ratings.title.actual",
                    "actual title ratings",
                ),
                link(
                    f"{view.base}/ratings/title/predicted",
                    f"{SCHEMAS}/ratings.title.predicted",
                    "predicted title ratings",
                ),
            ),
        )

    async def title_ratings(request: Request) -> Response:
        view = await library(request)
        titles = params.title_refs(ctx.catalog, request.query_params)
        return respond(
            request, view.ratings(titles, actual=True, predicted=True, path="ratings/title")
        )

    async def predicted_ratings(request: Request) -> Response:
        view = await library(request)
        titles = params.title_refs(ctx.catalog, request.query_params)
        return respond(
            request,
            view.ratings(titles, actual=False, predicted=True, path="ratings/title/predicted"),
        )

    async def actual_ratings(request: Request) -> Response:
        view = await library(request)
        ratings = view.subscriber.ratings
        if request.method == "POST":
            values = await params.write_params(request)
            ref = values.get("title_ref", "").strip()
            title = ctx.catalog.resolve_ref(ref) if ref else None
            if title is None:
                raise NetflixError(400, "title_ref is invalid")
            rating = ratings.create(title, parse_rating(values.get("rating")), int(ctx.clock()))
            item = view.ratings_item(title, actual=True, predicted=False)
            node = status_document(201, "Rating created", None, el("resources_created", None, item))
            return respond(request, node, 201, headers={"Location": view.rating_url(rating)})
        if request.query_params.get("title_refs"):
            titles = params.title_refs(ctx.catalog, request.query_params)
        else:  # without title_refs: every title the subscriber rated, most recent first
            titles = [r.title for r in sorted(ratings.actual.values(), key=lambda r: -r.updated)]
        return answer(
            ctx,
            request,
            view.subscriber,
            view.ratings(titles, actual=True, predicted=False, path="ratings/title/actual"),
        )

    async def actual_rating(request: Request) -> Response:
        view = await library(request)
        rating_id = parse_digits(request.path_params["rating_id"])
        rating = view.subscriber.ratings.actual.get(rating_id) if rating_id is not None else None
        if rating is None:
            raise NetflixError(404, _NOT_FOUND)
        if request.method == "PUT":
            values = await params.write_params(request)
            view.subscriber.ratings.update(
                rating.rating_id, parse_rating(values.get("rating")), int(ctx.clock())
            )
            item = view.ratings_item(rating.title, actual=True, predicted=False)
            return respond(
                request,
                status_document(200, "Rating updated", None, el("resources_updated", None, item)),
            )
        return respond(
            request,
            el("ratings", None, view.ratings_item(rating.title, actual=True, predicted=False)),
        )

    user = "/users/{user_id}"
    return [
        Route(user + "/rental_history", rental_history, methods=["GET"]),
        Route(user + "/rental_history/{kind}", rental_history, methods=["GET"]),
        Route(user + "/at_home", at_home, methods=["GET"]),
        Route(user + "/recommendations", recommendations, methods=["GET"]),
        Route(user + "/recommendations/{title_id}", recommendation, methods=["GET"]),
        Route(user + "/reviews", reviews, methods=["GET"]),
        Route(user + "/ratings", ratings_root, methods=["GET"]),
        Route(user + "/ratings/title", title_ratings, methods=["GET"]),
        Route(user + "/ratings/title/predicted", predicted_ratings, methods=["GET"]),
        Route(user + "/ratings/title/actual", actual_ratings, methods=["GET", "POST"]),
        Route(user + "/ratings/title/actual/{rating_id}", actual_rating, methods=["GET", "PUT"]),
    ]
