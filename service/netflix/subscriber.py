"""The Netflix client bound to one signed-in subscriber: every call is `Security.PROTECTED`,
signed with their access token, under their `/users/{id}` (never one a request names).

The reads a home screen is made of also answer plain fields (`..._fields`, JSON-ready in
the models' field order), so a caller that only writes JSON skips the models.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol, TypeVar
from urllib.parse import quote

from service.errors import BadUpstream, InvalidInput, NotFound, UnknownTitle
from service.netflix.normalize import queues, ratings, rentals, titles, users
from service.netflix.normalize.title_fields import Fields
from service.netflix.params import chunks, page, user_path
from service.netflix.refs import TitleRef
from service.netflix.signing import Security
from service.netflix.transport import AccessToken, Call, Params, Upstream
from service.schemas.queues import QueueEntry, QueuePage, QueueSort, QueueState, QueueType
from service.schemas.ratings import Rating, RatingKind, RatingValue
from service.schemas.rentals import RentalEntry, RentalKind, RentalPage
from service.schemas.titles import TitlePage
from service.schemas.users import Feed, TitleState, User

_Read = TypeVar("_Read")
_Entry = TypeVar("_Entry", TitleState, Rating)
# Extra upstream calls one batch read may spend telling unknown titles apart from known ones.
MAX_SPLIT_CALLS = 24
_RENTAL_PATHS = {
    RentalKind.ALL: "",
    RentalKind.SHIPPED: "/shipped",
    RentalKind.RETURNED: "/returned",
    RentalKind.WATCHED: "/watched",
}
_RATING_PATHS = {
    RatingKind.ANY: "",
    RatingKind.ACTUAL: "/actual",
    RatingKind.PREDICTED: "/predicted",
}


class Subscriber(Protocol):
    """Who a `SubscriberClient` acts for (a `store.sessions.Session` is one)."""

    @property
    def user_id(self) -> str: ...

    @property
    def token(self) -> AccessToken: ...


class SubscriberClient:
    """Calls on one subscriber's resources: profile, queues, history, ratings..."""

    def __init__(
        self, upstream: Upstream, *, ref_base: str, token: AccessToken, user_id: str
    ) -> None:
        self._upstream = upstream
        self._ref_base = ref_base
        self._token = token
        self._home = user_path(user_id)
        self.user_id = user_id

    def _call(
        self,
        method: str,
        path: str,
        params: Params = (),
        form: Params = (),
        *,
        subject: str,
    ) -> Call:
        return Call(
            method,
            self._home + path,
            params,
            form,
            security=Security.PROTECTED,
            token=self._token,
            subject=subject,
        )

    def _title_refs(self, refs: Sequence[TitleRef]) -> list[tuple[str, str]]:
        return [("title_refs", ",".join(r.url(self._ref_base) for r in refs))]

    async def user_fields(self) -> Fields:
        """The subscriber's profile, as `User` fields."""
        answer = await self._upstream.document(self._call("GET", "", subject="user"))
        return users.user_fields(answer.doc)

    async def user(self) -> User:
        """The subscriber's profile."""
        return User.model_validate(await self.user_fields())

    async def feeds(self) -> list[Feed]:
        """The subscriber's feed URLs."""
        answer = await self._upstream.document(self._call("GET", "/feeds", subject="feeds"))
        return users.feeds(answer.doc)

    async def _each_title(
        self,
        refs: Sequence[TitleRef],
        read: Callable[[Sequence[TitleRef]], Awaitable[list[_Read]]],
    ) -> tuple[list[_Read], list[TitleRef]]:
        """What `read` answers for the known titles (asked in chunks), and the unknown ones.

        Netflix refuses a whole `title_refs` list for one title it does not know, so a refused
        chunk is asked again in halves until each unknown title stands alone, within
        `MAX_SPLIT_CALLS` more calls (beyond: `UnknownTitle` for the request).
        """
        found: list[_Read] = []
        unknown: list[TitleRef] = []
        pending = list(chunks(refs))
        extra = 0
        while pending:
            chunk = pending.pop(0)
            try:
                found.extend(await read(chunk))
            except UnknownTitle:
                if len(chunk) == 1:
                    unknown.append(chunk[0])
                    continue
                extra += 2
                if extra > MAX_SPLIT_CALLS:
                    raise UnknownTitle(
                        "Netflix does not know several of the titles; ask for fewer at once "
                        "to learn which"
                    ) from None
                half = len(chunk) // 2
                pending[0:0] = [chunk[:half], chunk[half:]]
        return found, unknown

    async def title_states(self, refs: Sequence[TitleRef]) -> list[TitleState]:
        """What the subscriber can do with each title, in the order asked; a title Netflix
        does not know has an entry with status `unknown_title`."""

        async def read(chunk: Sequence[TitleRef]) -> list[TitleState]:
            answer = await self._upstream.document(
                self._call("GET", "/title_states", self._title_refs(chunk), subject="title")
            )
            return users.title_states(answer.doc, ref_base=self._ref_base)

        found, unknown = await self._each_title(refs, read)
        missing = {
            ref.short: TitleState(id=ref.short, ref=ref.url(self._ref_base), status="unknown_title")
            for ref in unknown
        }
        return _in_order(refs, found, missing, key=lambda state: state.id)

    async def queue(
        self,
        queue: QueueType,
        *,
        state: QueueState | None = None,
        start_index: int = 0,
        max_results: int = 500,
        sort: QueueSort | None = None,
    ) -> tuple[QueuePage, str]:
        """A page of a queue, and the queue's current etag (for the next write)."""
        fields, etag = await self.queue_fields(
            queue, state=state, start_index=start_index, max_results=max_results, sort=sort
        )
        return QueuePage.model_validate(fields), etag

    async def queue_fields(
        self,
        queue: QueueType,
        *,
        state: QueueState | None = None,
        start_index: int = 0,
        max_results: int = 500,
        sort: QueueSort | None = None,
    ) -> tuple[Fields, str]:
        """A page of a queue as `QueuePage` fields, and the queue's current etag."""
        path = f"/queues/{QueueType(queue).value}"
        if state is not None:
            path += f"/{QueueState(state).value}"
        params = page(start_index, max_results, limit=500)
        if sort is not None:
            params.append(("sort", QueueSort(sort).value))
        answer = await self._upstream.document(self._call("GET", path, params, subject="queue"))
        return queues.queue_page_fields(
            answer.doc,
            ref_base=self._ref_base,
            page_size=max_results,
            queue=queue,
            etag_header=answer.headers.get("etag"),
        )

    async def queue_entry(self, queue: QueueType, ref: TitleRef) -> QueueEntry:
        """One title's entry in a queue, whether available or saved."""
        base = f"/queues/{QueueType(queue).value}"
        for state in (QueueState.AVAILABLE, QueueState.SAVED):
            try:
                answer = await self._upstream.document(
                    self._call("GET", f"{base}/{state.value}/{ref.own_id}", subject="queue entry")
                )
            except NotFound:
                continue
            return queues.queue_item_document(answer.doc, ref_base=self._ref_base, queue=queue)
        raise NotFound("the title is not in the queue")

    async def add_to_queue(
        self, queue: QueueType, ref: TitleRef, *, position: int | None, etag: str
    ) -> tuple[QueueEntry, str]:
        """Add a title (or move it when already queued); returns the entry and the new etag."""
        form = [("title_ref", ref.url(self._ref_base)), ("etag", etag)]
        if position is not None:
            if position < 1:
                raise InvalidInput("queue positions start at 1")
            form.append(("position", str(position)))
        answer = await self._upstream.document(
            self._call("POST", f"/queues/{QueueType(queue).value}", form=form, subject="title")
        )
        result = queues.write_result(answer.doc, etag_header=answer.headers.get("etag"))
        items = [d for d in result.created if d.tag == "queue_item"]
        if not items or result.etag is None:
            raise BadUpstream("Netflix's queue answer lacks the entry or the new etag")
        return queues.queue_entry(items[0], ref_base=self._ref_base, queue=queue), result.etag

    async def remove_from_queue(self, queue: QueueType, ref: TitleRef, *, state: QueueState) -> str:
        """Remove a title from a queue; returns the new etag ("" when upstream gave none)."""
        path = f"/queues/{QueueType(queue).value}/{QueueState(state).value}/{ref.own_id}"
        answer = await self._upstream.document(self._call("DELETE", path, subject="queue entry"))
        return queues.write_result(answer.doc, etag_header=answer.headers.get("etag")).etag or ""

    async def rental_history(
        self, kind: RentalKind, *, start_index: int = 0, max_results: int = 25
    ) -> RentalPage:
        """A page of the subscriber's rental history."""
        fields = await self.rental_history_fields(
            kind, start_index=start_index, max_results=max_results
        )
        return RentalPage.model_validate(fields)

    async def rental_history_fields(
        self, kind: RentalKind, *, start_index: int = 0, max_results: int = 25
    ) -> Fields:
        """A page of the rental history, as `RentalPage` fields."""
        path = f"/rental_history{_RENTAL_PATHS[RentalKind(kind)]}"
        answer = await self._upstream.document(
            self._call("GET", path, page(start_index, max_results), subject="rental history")
        )
        return rentals.rental_page_fields(
            answer.doc, ref_base=self._ref_base, page_size=max_results
        )

    async def at_home(self) -> list[RentalEntry]:
        """Discs currently with the subscriber."""
        return [RentalEntry.model_validate(entry) for entry in await self.at_home_fields()]

    async def at_home_fields(self) -> list[Fields]:
        """Discs currently with the subscriber, as `RentalEntry` fields."""
        answer = await self._upstream.document(
            self._call("GET", "/at_home", subject="titles at home")
        )
        return rentals.at_home_fields(answer.doc, ref_base=self._ref_base)

    async def _rated(self, refs: Sequence[TitleRef], kind: RatingKind) -> list[ratings.RatedTitle]:
        """Ratings of up to one chunk of titles."""
        path = f"/ratings/title{_RATING_PATHS[RatingKind(kind)]}"
        answer = await self._upstream.document(
            self._call("GET", path, self._title_refs(refs), subject="title")
        )
        return ratings.ratings(answer.doc, ref_base=self._ref_base)

    async def ratings(self, refs: Sequence[TitleRef], *, kind: RatingKind) -> list[Rating]:
        """Ratings of titles: the subscriber's, predicted, or whichever exists, in the order
        asked (a title without one is left out); a title Netflix does not know has an entry
        with status `unknown_title`."""
        found, unknown = await self._each_title(refs, lambda chunk: self._rated(chunk, kind))
        missing = {
            ref.short: Rating(id=ref.short, ref=ref.url(self._ref_base), status="unknown_title")
            for ref in unknown
        }
        return _in_order(refs, [r.rating for r in found], missing, key=lambda rating: rating.id)

    async def set_rating(self, ref: TitleRef, value: RatingValue) -> Rating:
        """Rate a title, creating the rating or updating the existing one."""
        if not (value == "not_interested" or (isinstance(value, int) and 1 <= value <= 5)):
            raise InvalidInput("a rating is 1 to 5, or not_interested")
        existing = await self._rated([ref], RatingKind.ACTUAL)
        rating_id = next(
            (r.rating_id for r in existing if r.rating.id == ref.short and r.rating_id), None
        )
        base = "/ratings/title/actual"
        if rating_id is not None:
            call = self._call(
                "PUT",
                f"{base}/{quote(rating_id, safe='')}",
                form=[("rating", str(value))],
                subject="rating",
            )
        else:
            call = self._call(
                "POST",
                base,
                form=[("title_ref", ref.url(self._ref_base)), ("rating", str(value))],
                subject="title",
            )
        answer = await self._upstream.document(call)
        result = queues.write_result(answer.doc)
        for item in result.created:
            if item.tag == "ratings_item":
                return ratings.rated_title(item, ref_base=self._ref_base).rating
        rated = await self._rated([ref], RatingKind.ANY)
        if not rated:
            raise BadUpstream("Netflix did not return the rating it stored")
        return rated[0].rating

    async def recommendations(self, *, start_index: int = 0, max_results: int = 25) -> TitlePage:
        """Titles Netflix recommends to the subscriber, with predicted ratings."""
        fields = await self.recommendations_fields(start_index=start_index, max_results=max_results)
        return TitlePage.model_validate(fields)

    async def recommendations_fields(
        self, *, start_index: int = 0, max_results: int = 25
    ) -> Fields:
        """Recommendations, as `TitlePage` fields."""
        answer = await self._upstream.document(
            self._call(
                "GET",
                "/recommendations",
                page(start_index, max_results),
                subject="recommendations",
            )
        )
        return titles.title_page_fields(
            answer.doc,
            ref_base=self._ref_base,
            page_size=max_results,
            root="recommendations",
            item="recommendation",
        )


def _in_order(
    refs: Sequence[TitleRef],
    found: Sequence[_Entry],
    missing: dict[str, _Entry],
    *,
    key: Callable[[_Entry], str],
) -> list[_Entry]:
    """Entries in the order the titles were asked for, the unknown ones in their place."""
    if not missing:
        return list(found)
    by_id: dict[str, list[_Entry]] = {}
    for entry in found:
        by_id.setdefault(key(entry), []).append(entry)
    ordered = [
        entry
        for ref in refs
        for entry in ([missing[ref.short]] if ref.short in missing else by_id.pop(ref.short, []))
    ]
    return ordered + [entry for rest in by_id.values() for entry in rest]
