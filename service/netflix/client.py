"""The typed Netflix API v1 client: one async method per upstream call, schema models out.

Every call goes through `Upstream` (throttle, sign, send, cap, parse, translate errors); this
module only knows paths, parameters and which normalizer reads each answer. Title URLs sent
upstream are always rebuilt from validated `TitleRef`s against the configured `ref_base`.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Callable, Sequence
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import httpx

from service.errors import BadUpstream, InvalidInput, NotFound
from service.metrics import Metrics
from service.netflix.normalize import index as index_normalizer
from service.netflix.normalize import people, queues, ratings, rentals, titles, users
from service.netflix.refs import TitleRef, host_of
from service.netflix.transport import AccessToken, Call, Throttle, Upstream
from service.netflix.xml import StreamParser
from service.schemas.auth import RequestToken
from service.schemas.people import Person, PersonPage
from service.schemas.queues import QueueEntry, QueuePage, QueueSort, QueueState, QueueType
from service.schemas.ratings import Rating, RatingKind, RatingValue
from service.schemas.rentals import RentalEntry, RentalKind, RentalPage
from service.schemas.titles import IndexTitle, Title, TitlePage, TitlePart
from service.schemas.users import Feed, TitleState, User

__all__ = ["AccessToken", "NetflixClient", "Throttle"]

# How each inlinable part is named in `expand`, and as the title's own sub-resource path.
EXPAND_NAMES: dict[TitlePart, str] = {
    TitlePart.SYNOPSIS: "synopsis",
    TitlePart.CAST: "cast",
    TitlePart.DIRECTORS: "directors",
    TitlePart.FORMATS: "format_availability",
    TitlePart.SCREEN_FORMATS: "screen_formats",
    TitlePart.LANGUAGES: "languages_and_audio",
    TitlePart.AWARDS: "awards",
}
TITLE_REFS_CHUNK = 50
INDEX_PATH = "/catalog/titles/index"
_USER_ID = re.compile(r"[A-Za-z0-9._~-]{1,128}")
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


def _page(start_index: int, max_results: int, *, limit: int = 100) -> list[tuple[str, str]]:
    if start_index < 0:
        raise InvalidInput("start_index must be zero or more")
    if not 1 <= max_results <= limit:
        raise InvalidInput(f"max_results must be between 1 and {limit}")
    return [("start_index", str(start_index)), ("max_results", str(max_results))]


def _term(term: str) -> str:
    cleaned = " ".join(term.split())
    if not cleaned:
        raise InvalidInput("a search term is required")
    if len(cleaned) > 200:
        raise InvalidInput("the search term is too long")
    return cleaned


def _expand(parts: Sequence[TitlePart]) -> list[tuple[str, str]]:
    names = sorted({EXPAND_NAMES[TitlePart(p)] for p in parts})
    return [("expand", ",".join(names))] if names else []


def _with_parts(title: Title, parts: Sequence[TitlePart]) -> Title:
    """Parts asked for but not linked upstream (a title without awards) become []."""
    missing: dict[str, list[object]] = {
        titles.PART_FIELDS[p]: []
        for p in map(TitlePart, parts)
        if p in titles.PART_FIELDS and getattr(title, titles.PART_FIELDS[p]) is None
    }
    return title.model_copy(update=missing) if missing else title


def _user_path(user_id: str) -> str:
    if not _USER_ID.fullmatch(user_id):
        raise InvalidInput("malformed Netflix user id")
    return "/users/" + quote(user_id, safe="")


def _chunks(refs: Sequence[TitleRef], size: int = TITLE_REFS_CHUNK) -> list[Sequence[TitleRef]]:
    return [refs[i : i + size] for i in range(0, len(refs), size)]


class NetflixClient:
    """Calls a Netflix-compatible API v1 host on behalf of the proxy."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        base_url: str,
        consumer_key: str,
        consumer_secret: str,
        ref_base: str,
        throttle: Throttle | None = None,
        prefer_json: bool = False,
        max_body_bytes: int = 20_000_000,
        clock: Callable[[], float] = time.time,
        metrics: Metrics | None = None,
    ) -> None:
        self._upstream = Upstream(
            http,
            base_url=base_url,
            consumer_key=consumer_key,
            consumer_secret=consumer_secret,
            throttle=throttle,
            prefer_json=prefer_json,
            max_body_bytes=max_body_bytes,
            clock=clock,
            metrics=metrics,
        )
        self._consumer_key = consumer_key
        self._ref_base = ref_base.rstrip("/")
        self._ref_hosts = frozenset({host_of(ref_base), host_of(base_url)})

    # --- refs -----------------------------------------------------------------------------

    def parse_ref(self, text: str) -> TitleRef:
        """A client-supplied title ref, accepting URLs on the configured hosts too."""
        return TitleRef.parse(text, hosts=self._ref_hosts)

    # --- catalog --------------------------------------------------------------------------

    async def search_titles(
        self,
        term: str,
        *,
        start_index: int = 0,
        max_results: int = 25,
        expand: Sequence[TitlePart] = (),
    ) -> TitlePage:
        """Search movies and series by title."""
        params = [("term", _term(term)), *_page(start_index, max_results), *_expand(expand)]
        answer = await self._upstream.document(
            Call("GET", "/catalog/titles", params, subject="titles")
        )
        page = titles.title_page(answer.doc, ref_base=self._ref_base)
        if not expand:
            return page
        return page.model_copy(update={"items": [_with_parts(t, expand) for t in page.items]})

    async def autocomplete(self, term: str, *, max_results: int = 10) -> list[str]:
        """Title suggestions for a prefix."""
        params = [("term", _term(term)), ("max_results", str(max(1, min(max_results, 100))))]
        answer = await self._upstream.document(
            Call("GET", "/catalog/titles/autocomplete", params, subject="suggestions")
        )
        return titles.autocomplete(answer.doc).items[:max_results]

    async def get_title(self, ref: TitleRef, *, expand: Sequence[TitlePart] = ()) -> Title:
        """One title, with the asked-for parts inlined.

        Parts the host linked but did not expand are fetched from their own sub-resources,
        concurrently, so the answer is complete whatever `expand` names the host honours.
        """
        answer = await self._upstream.document(
            Call("GET", ref.path, _expand(expand), subject="title")
        )
        title = titles.title_document(answer.doc, ref_base=self._ref_base)
        pending = titles.unexpanded_parts(answer.doc, map(TitlePart, expand))
        if pending:
            found = await asyncio.gather(*(self._title_part(ref, part) for part in pending))
            title = titles.fill_parts(title, {k: v for part in found for k, v in part.items()})
        return _with_parts(title, expand)

    async def _title_part(self, ref: TitleRef, part: TitlePart) -> dict[str, object]:
        """One part from its sub-resource (`{title}/awards`...); none when it is missing."""
        try:
            answer = await self._upstream.document(
                Call("GET", f"{ref.path}/{EXPAND_NAMES[part]}", subject="title")
            )
        except NotFound:
            return {}
        return titles.part_fields(answer.doc, part, ref_base=self._ref_base)

    async def similar_titles(
        self, ref: TitleRef, *, start_index: int = 0, max_results: int = 25
    ) -> TitlePage:
        """Titles Netflix deems similar to one title."""
        answer = await self._upstream.document(
            Call("GET", ref.path + "/similars", _page(start_index, max_results), subject="title")
        )
        return titles.similars_page(answer.doc, ref_base=self._ref_base)

    async def search_people(
        self, term: str, *, start_index: int = 0, max_results: int = 25
    ) -> PersonPage:
        """Search cast and directors by name."""
        params = [("term", _term(term)), *_page(start_index, max_results)]
        answer = await self._upstream.document(
            Call("GET", "/catalog/people", params, subject="people")
        )
        return people.people_page(answer.doc, ref_base=self._ref_base)

    async def get_person(self, person_id: int, *, with_filmography: bool = True) -> Person:
        """One person, with the filmography inlined unless told otherwise."""
        if person_id <= 0:
            raise InvalidInput("person ids are positive integers")
        params = [("expand", "filmography")] if with_filmography else []
        answer = await self._upstream.document(
            Call("GET", f"/catalog/people/{person_id}", params, subject="person")
        )
        return people.person_document(answer.doc, ref_base=self._ref_base)

    async def stream_catalog_index(self) -> AsyncIterator[IndexTitle]:
        """Every catalog title, streamed (gzip from upstream) in constant memory."""
        async for batch in self.stream_catalog_index_batches():
            for entry in batch:
                yield entry

    async def stream_catalog_index_batches(self) -> AsyncIterator[list[IndexTitle]]:
        """The catalog titles as each upstream chunk completes them (never an empty batch).

        One batch per chunk lets a stream write the titles of a chunk in one go.
        """
        parser = StreamParser("title_index_item")
        call = Call("GET", INDEX_PATH, subject="catalog index", negotiate=False)
        read = index_normalizer.index_title
        ref_base = self._ref_base
        # `open` translates a failure while reading (timeout or drop) like any other call.
        async with self._upstream.open(call, headers={"Accept-Encoding": "gzip"}) as response:
            async for chunk in response.aiter_bytes():
                batch = [read(doc, ref_base=ref_base) for doc in parser.feed(chunk)]
                if batch:
                    yield batch
            batch = [read(doc, ref_base=ref_base) for doc in parser.close()]
            if batch:
                yield batch

    # --- sign-in --------------------------------------------------------------------------

    async def request_token(self, *, callback: str) -> RequestToken:
        """Start sign-in: a request token and the URL where the subscriber logs in."""
        body = await self._upstream.raw(
            Call(
                "GET",
                "/oauth/request_token",
                callback=callback,
                negotiate=False,
                subject="request token",
            )
        )
        values = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        token, secret = values.get("oauth_token"), values.get("oauth_token_secret")
        login_url = values.get("login_url")
        if not token or not secret or not login_url:
            raise BadUpstream("Netflix answered an incomplete request token")
        app_name = values.get("application_name")
        return RequestToken(
            token=token,
            secret=secret,
            application_name=app_name,
            login_url=self._login_url(login_url, token, app_name, callback),
        )

    def _login_url(self, login_url: str, token: str, app_name: str | None, callback: str) -> str:
        """Netflix's login URL with what its login page needs (added only when missing)."""
        parts = urlsplit(login_url)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise BadUpstream("Netflix answered an unusable login URL")
        query = parse_qsl(parts.query, keep_blank_values=True)
        present = {k for k, _ in query}
        wanted = [
            ("oauth_token", token),
            ("oauth_consumer_key", self._consumer_key),
            ("application_name", app_name),
            ("oauth_callback", callback),
        ]
        query += [(k, v) for k, v in wanted if v is not None and k not in present]
        return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))

    async def access_token(
        self, request_token: str, request_secret: str, verifier: str | None
    ) -> tuple[AccessToken, str]:
        """Finish sign-in: trade the authorized request token for an access token."""
        body = await self._upstream.raw(
            Call(
                "GET",
                "/oauth/access_token",
                token=request_token,
                token_secret=request_secret,
                verifier=verifier,
                negotiate=False,
                user_call=True,
                subject="request token",
                access=False,
            )
        )
        values = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        token, secret = values.get("oauth_token"), values.get("oauth_token_secret")
        user_id = values.get("user_id")
        if not token or not secret or not user_id or not _USER_ID.fullmatch(user_id):
            raise BadUpstream("Netflix answered an incomplete access token")
        return AccessToken(token, secret), user_id

    async def current_user_id(self, token: AccessToken) -> str:
        """Whose token this is (also how an imported token pair is checked)."""
        answer = await self._upstream.document(self._user_call(token, "GET", "/users/current"))
        return users.current_user_id(answer.doc)

    # --- the subscriber -------------------------------------------------------------------

    def _user_call(
        self,
        token: AccessToken,
        method: str,
        path: str,
        params: Sequence[tuple[str, str]] = (),
        form: Sequence[tuple[str, str]] = (),
        *,
        subject: str = "resource",
    ) -> Call:
        return Call(
            method,
            path,
            params,
            form,
            token=token.token,
            token_secret=token.secret,
            user_call=True,
            subject=subject,
        )

    async def get_user(self, token: AccessToken, user_id: str) -> User:
        """The subscriber's profile."""
        answer = await self._upstream.document(
            self._user_call(token, "GET", _user_path(user_id), subject="user")
        )
        return users.user(answer.doc)

    async def get_feeds(self, token: AccessToken, user_id: str) -> list[Feed]:
        """The subscriber's feed URLs."""
        answer = await self._upstream.document(
            self._user_call(token, "GET", _user_path(user_id) + "/feeds", subject="feeds")
        )
        return users.feeds(answer.doc)

    async def title_states(
        self, token: AccessToken, user_id: str, refs: Sequence[TitleRef]
    ) -> list[TitleState]:
        """What the subscriber can do with each title (asked in chunks)."""
        found: list[TitleState] = []
        for chunk in _chunks(refs):
            params = [("title_refs", ",".join(r.url(self._ref_base) for r in chunk))]
            answer = await self._upstream.document(
                self._user_call(
                    token, "GET", _user_path(user_id) + "/title_states", params, subject="title"
                )
            )
            found.extend(users.title_states(answer.doc, ref_base=self._ref_base))
        return found

    async def get_queue(
        self,
        token: AccessToken,
        user_id: str,
        queue: QueueType,
        *,
        state: QueueState | None = None,
        start_index: int = 0,
        max_results: int = 500,
        sort: QueueSort | None = None,
    ) -> tuple[QueuePage, str]:
        """A page of a queue, and the queue's current etag (for the next write)."""
        path = f"{_user_path(user_id)}/queues/{QueueType(queue).value}"
        if state is not None:
            path += f"/{QueueState(state).value}"
        params = _page(start_index, max_results, limit=500)
        if sort is not None:
            params.append(("sort", QueueSort(sort).value))
        answer = await self._upstream.document(
            self._user_call(token, "GET", path, params, subject="queue")
        )
        return queues.queue_page(
            answer.doc, ref_base=self._ref_base, queue=queue, etag_header=answer.headers.get("etag")
        )

    async def get_queue_entry(
        self, token: AccessToken, user_id: str, queue: QueueType, ref: TitleRef
    ) -> QueueEntry:
        """One title's entry in a queue, whether available or saved."""
        base = f"{_user_path(user_id)}/queues/{QueueType(queue).value}"
        for state in (QueueState.AVAILABLE, QueueState.SAVED):
            try:
                answer = await self._upstream.document(
                    self._user_call(
                        token, "GET", f"{base}/{state.value}/{ref.own_id}", subject="queue entry"
                    )
                )
            except NotFound:
                continue
            return queues.queue_item_document(answer.doc, ref_base=self._ref_base, queue=queue)
        raise NotFound("the title is not in the queue")

    async def add_to_queue(
        self,
        token: AccessToken,
        user_id: str,
        queue: QueueType,
        ref: TitleRef,
        *,
        position: int | None,
        etag: str,
    ) -> tuple[QueueEntry, str]:
        """Add a title (or move it when already queued); returns the entry and the new etag."""
        form = [("title_ref", ref.url(self._ref_base)), ("etag", etag)]
        if position is not None:
            if position < 1:
                raise InvalidInput("queue positions start at 1")
            form.append(("position", str(position)))
        answer = await self._upstream.document(
            self._user_call(
                token,
                "POST",
                f"{_user_path(user_id)}/queues/{QueueType(queue).value}",
                form=form,
                subject="title",
            )
        )
        result = queues.write_result(answer.doc, etag_header=answer.headers.get("etag"))
        items = [d for d in result.created if d.tag == "queue_item"]
        if not items or result.etag is None:
            raise BadUpstream("Netflix's queue answer lacks the entry or the new etag")
        return queues.queue_entry(items[0], ref_base=self._ref_base, queue=queue), result.etag

    async def remove_from_queue(
        self,
        token: AccessToken,
        user_id: str,
        queue: QueueType,
        ref: TitleRef,
        *,
        state: QueueState,
    ) -> str:
        """Remove a title from a queue; returns the new etag ("" when upstream gave none)."""
        path = (
            f"{_user_path(user_id)}/queues/{QueueType(queue).value}/"
            f"{QueueState(state).value}/{ref.own_id}"
        )
        answer = await self._upstream.document(
            self._user_call(token, "DELETE", path, subject="queue entry")
        )
        return queues.write_result(answer.doc, etag_header=answer.headers.get("etag")).etag or ""

    async def rental_history(
        self,
        token: AccessToken,
        user_id: str,
        kind: RentalKind,
        *,
        start_index: int = 0,
        max_results: int = 25,
    ) -> RentalPage:
        """A page of the subscriber's rental history."""
        path = f"{_user_path(user_id)}/rental_history{_RENTAL_PATHS[RentalKind(kind)]}"
        answer = await self._upstream.document(
            self._user_call(
                token, "GET", path, _page(start_index, max_results), subject="rental history"
            )
        )
        return rentals.rental_page(answer.doc, ref_base=self._ref_base)

    async def at_home(self, token: AccessToken, user_id: str) -> list[RentalEntry]:
        """Discs currently with the subscriber."""
        answer = await self._upstream.document(
            self._user_call(
                token, "GET", f"{_user_path(user_id)}/at_home", subject="titles at home"
            )
        )
        return rentals.at_home(answer.doc, ref_base=self._ref_base)

    async def _rated(
        self, token: AccessToken, user_id: str, refs: Sequence[TitleRef], kind: RatingKind
    ) -> list[ratings.RatedTitle]:
        found: list[ratings.RatedTitle] = []
        path = f"{_user_path(user_id)}/ratings/title{_RATING_PATHS[RatingKind(kind)]}"
        for chunk in _chunks(refs):
            params = [("title_refs", ",".join(r.url(self._ref_base) for r in chunk))]
            answer = await self._upstream.document(
                self._user_call(token, "GET", path, params, subject="title")
            )
            found.extend(ratings.ratings(answer.doc, ref_base=self._ref_base))
        return found

    async def ratings(
        self, token: AccessToken, user_id: str, refs: Sequence[TitleRef], *, kind: RatingKind
    ) -> list[Rating]:
        """Ratings of titles: the subscriber's, predicted, or whichever exists."""
        return [r.rating for r in await self._rated(token, user_id, refs, kind)]

    async def set_rating(
        self, token: AccessToken, user_id: str, ref: TitleRef, value: RatingValue
    ) -> Rating:
        """Rate a title, creating the rating or updating the existing one."""
        if not (value == "not_interested" or (isinstance(value, int) and 1 <= value <= 5)):
            raise InvalidInput("a rating is 1 to 5, or not_interested")
        existing = await self._rated(token, user_id, [ref], RatingKind.ACTUAL)
        rating_id = next(
            (r.rating_id for r in existing if r.rating.id == ref.short and r.rating_id), None
        )
        base = f"{_user_path(user_id)}/ratings/title/actual"
        if rating_id is not None:
            call = self._user_call(
                token,
                "PUT",
                f"{base}/{quote(rating_id, safe='')}",
                form=[("rating", str(value))],
                subject="rating",
            )
        else:
            call = self._user_call(
                token,
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
        rated = await self._rated(token, user_id, [ref], RatingKind.ANY)
        if not rated:
            raise BadUpstream("Netflix did not return the rating it stored")
        return rated[0].rating

    async def recommendations(
        self, token: AccessToken, user_id: str, *, start_index: int = 0, max_results: int = 25
    ) -> TitlePage:
        """Titles Netflix recommends to the subscriber, with predicted ratings."""
        answer = await self._upstream.document(
            self._user_call(
                token,
                "GET",
                f"{_user_path(user_id)}/recommendations",
                _page(start_index, max_results),
                subject="recommendations",
            )
        )
        return titles.recommendations_page(answer.doc, ref_base=self._ref_base)
