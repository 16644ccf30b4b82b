"""Node trees for a subscriber's library: rentals, discs at home, recommendations,
title states and ratings. Every item reuses the catalog title's own children."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from emulator.accounts.formats import disc_formats, has_instant, subscriber_label
from emulator.accounts.history import Rental
from emulator.accounts.ratings import Rating
from emulator.accounts.render import SCHEMAS, category, link, title_item, user_base
from emulator.accounts.state import Subscriber
from emulator.catalog.data import Catalog, Title
from emulator.catalog.model import INSTANT
from emulator.document import Node, el


@dataclass(frozen=True, slots=True)
class LibraryView:
    """Rendering context for one subscriber's documents."""

    catalog: Catalog
    public_base: str
    subscriber: Subscriber
    expand: frozenset[str] = frozenset()

    @property
    def base(self) -> str:
        """`…/users/{id}`."""
        return user_base(self.public_base, self.subscriber.user_id)

    def _formats(self) -> str:
        return f"{self.public_base}/categories/title_formats"

    def _header(self, path: str, params: str, total: int, start: int, per_page: int) -> list[Node]:
        return [
            el("url_template", f"{self.base}/{path}?{{-join|&|{params}}}"),
            el("number_of_results", total),
            el("start_index", start),
            el("results_per_page", per_page),
        ]

    # Rentals ---------------------------------------------------------------------------------

    def rental_item(self, rental: Rental, kind: str | None) -> Node:
        """One `rental_history_item`: the title plus the dates the API reported."""
        if kind is None:
            kind = (
                "watched"
                if rental.watched_date is not None
                else "returned"
                if rental.returned_date is not None
                else "shipped"
            )
        dates = [
            el(name, value)
            for name, value in (
                ("shipped_date", rental.shipped_date),
                ("returned_date", rental.returned_date),
                ("watched_date", rental.watched_date),
                ("viewed_time", rental.viewed_time),
            )
            if value is not None
        ]
        return title_item(
            "rental_history_item",
            self.catalog,
            rental.title,
            f"{self.base}/rental_history/{kind}/{rental.title.id}",
            [category(self._formats(), subscriber_label(rental.format)), *dates],
            expand=self.expand,
        )

    def rental_history(
        self, rentals: Sequence[Rental], total: int, start: int, per_page: int, kind: str | None
    ) -> Node:
        """`rental_history` (all, or only `shipped`/`returned`/`watched`)."""
        path = "rental_history" if kind is None else f"rental_history/{kind}"
        return el(
            "rental_history",
            None,
            *self._header(path, "start_index|max_results|updated_min", total, start, per_page),
            *(self.rental_item(r, kind) for r in rentals),
        )

    def at_home(self, rentals: Sequence[Rental]) -> Node:
        """`at_home`: discs shipped and not returned, with their expected arrival."""
        items = [
            title_item(
                "at_home_item",
                self.catalog,
                r.title,
                f"{self.base}/at_home/{r.title.id}",
                [
                    category(self._formats(), subscriber_label(r.format)),
                    el("shipped_date", r.shipped_date),
                    el("estimated_arrival_date", r.estimated_arrival_date),
                ],
                expand=self.expand,
            )
            for r in rentals
        ]
        return el("at_home", None, el("number_of_results", len(items)), *items)

    # Recommendations -------------------------------------------------------------------------

    def recommendation(self, title: Title) -> Node:
        """One `recommendation`: the title plus the subscriber's predicted rating."""
        predicted = self.subscriber.ratings.predicted(title)
        return title_item(
            "recommendation",
            self.catalog,
            title,
            f"{self.base}/recommendations/{title.id}",
            after=[el("predicted_rating", predicted)],
            expand=self.expand,
        )

    def recommendations(
        self, titles: Sequence[Title], total: int, start: int, per_page: int
    ) -> Node:
        """The paged `recommendations` collection."""
        return el(
            "recommendations",
            None,
            *self._header("recommendations", "start_index|max_results", total, start, per_page),
            *(self.recommendation(t) for t in titles),
        )

    # Title states ----------------------------------------------------------------------------

    def title_states(self, titles: Sequence[Title]) -> Node:
        """`title_states`: per title, what the subscriber can do with it in each queue."""
        node = el(
            "title_states",
            None,
            el("url_template", f"{self.base}/title_states?{{-join|&|title_refs}}"),
        )
        for title in titles:
            state = node.add(
                el("title_state", None, link(title.ref, f"{SCHEMAS}/catalog/title", title.title))
            )
            if has_instant(title) and self.subscriber.can_instant_watch:
                state.add(self._state_item(title, "instant", (INSTANT,)))
            if disc_formats(title):
                state.add(self._state_item(title, "disc", disc_formats(title)))
        return node

    def _state_item(self, title: Title, kind: str, formats: Sequence[str]) -> Node:
        queue = self.subscriber.queue(kind)
        queued = queue.position_of(title.id) is not None or queue.find_saved(title.id) is not None
        at_home = title.id in self.subscriber.history.at_home_ids()
        preferred = next((f for f in self.subscriber.preferred_formats if f in formats), formats[0])
        item = el(
            "title_state_item",
            None,
            link(f"{self.base}/queues/{kind}", f"{SCHEMAS}/queues.{kind}", f"{kind} queue"),
        )
        for fmt in formats:
            labels = ["Play"] if fmt == INSTANT else []
            labels.append(
                "At Home" if at_home and fmt != INSTANT else "In Queue" if queued else "Add"
            )
            fmt_node = item.add(el("format"))
            if fmt == preferred:
                fmt_node.add(el("preferred_format", "true"))
            fmt_node.add(category(self._formats(), subscriber_label(fmt)))
            fmt_node.extend(
                category(f"{self.public_base}/categories/title_states", label) for label in labels
            )
        return item

    # Ratings ---------------------------------------------------------------------------------

    def rating_url(self, rating: Rating) -> str:
        """`…/ratings/title/actual/{rating_id}`."""
        return f"{self.base}/ratings/title/actual/{rating.rating_id}"

    def ratings_item(self, title: Title, *, actual: bool, predicted: bool) -> Node:
        """One `ratings_item`: the actual rating (with its id) and/or the predicted one."""
        rating = self.subscriber.ratings.actual.get(title.id) if actual else None
        node = el("ratings_item")
        if rating is not None:
            node.add(el("id", self.rating_url(rating)))
        node.extend(
            [
                link(title.ref, f"{SCHEMAS}/catalog/title", title.title),
                el("title", short=title.short_title, regular=title.title),
                el("average_rating", title.average_rating),
            ]
        )
        if predicted and rating is None:
            node.add(el("predicted_rating", self.subscriber.ratings.predicted(title)))
        if rating is not None:
            node.add(el("user_rating", rating.value))
        return node

    def ratings(self, titles: Sequence[Title], *, actual: bool, predicted: bool, path: str) -> Node:
        """`ratings` for the asked titles; `/actual` lists only titles actually rated."""
        if actual and not predicted:
            titles = [t for t in titles if t.id in self.subscriber.ratings.actual]
        return el(
            "ratings",
            None,
            el("url_template", f"{self.base}/{path}?{{-join|&|title_refs}}"),
            *(self.ratings_item(t, actual=actual, predicted=predicted) for t in titles),
        )
