"""User normalizers: the recorded user JSON, users/current, feeds, title states."""

from __future__ import annotations

import pytest

from emulator.document import Node, el
from service.errors import BadUpstream
from service.netflix.normalize import users
from service.schemas.queues import QueueType
from service.schemas.users import TitleAction, TitleStateItem
from tests.support.samples import rendered_both, sample_doc

BASE = "http://api-public.netflix.com"
SCHEMAS = "http://schemas.netflix.com"


def test_recorded_user_json_with_numeric_maturity_and_boolean() -> None:
    user = users.user(sample_doc("user", "json-user-dholdren.json"))
    assert (user.user_id, user.first_name, user.last_name, user.nickname) == (
        "nuid_one",
        "Jane",
        "Smith",
        "foobar",
    )
    assert user.can_instant_watch is True
    assert user.preferred_formats == ["Blu-ray", "DVD"]
    assert user.max_maturity_level == 1000000


def test_user_with_one_preferred_format_and_no_maturity() -> None:
    node = el(
        "user",
        None,
        el("user_id", "T1abc-"),
        el("first_name", "A"),
        el("last_name", "B"),
        el("can_instant_watch", "false"),
        el(
            "preferred_formats",
            None,
            el(
                "category",
                scheme="http://api.netflix.com/categories/title_formats",
                label="DVD",
                term="DVD",
            ),
        ),
    )
    for doc in rendered_both(node):
        user = users.user(doc)
        assert (
            user.can_instant_watch,
            user.preferred_formats,
            user.max_maturity_level,
            user.nickname,
        ) == (False, ["DVD"], None, None)


def test_current_user_is_read_from_its_link() -> None:
    node = el(
        "resource",
        None,
        el(
            "link",
            href="http://api-public.netflix.com/users/T1x.y-",
            rel=f"{SCHEMAS}/user.current",
            title="Ann",
        ),
    )
    for doc in rendered_both(node):
        assert users.current_user_id(doc) == "T1x.y-"
    for doc in rendered_both(
        el(
            "resource",
            None,
            el("link", href="http://x/catalog/titles/movies/1", rel="alternate", title="?"),
        )
    ):
        with pytest.raises(BadUpstream):
            users.current_user_id(doc)


def test_feeds() -> None:
    node = el(
        "resource",
        None,
        el(
            "link",
            href="http://x/users/u/queues/disc/available?feed_token=t&output=atom",
            rel=f"{SCHEMAS}/feed.queues.disc",
            title="Disc Queue",
        ),
    )
    for doc in rendered_both(node):
        (feed,) = users.feeds(doc)
        assert (feed.name, feed.rel) == ("Disc Queue", f"{SCHEMAS}/feed.queues.disc")
        assert "feed_token=t" in feed.url


def test_title_states_with_one_and_two_items() -> None:
    def state_item(queue: str, fmt: str, label: str, preferred: bool) -> Node:
        return el(
            "title_state_item",
            None,
            el(
                "link",
                href=f"http://x/users/u/queues/{queue}",
                rel=f"{SCHEMAS}/queues.{queue}",
                title=f"{queue} queue",
            ),
            el(
                "format",
                None,
                *([el("preferred_format", "true")] if preferred else []),
                el(
                    "category",
                    scheme="http://api.netflix.com/categories/title_formats",
                    label=fmt,
                    term=fmt,
                ),
                el(
                    "category",
                    scheme="http://api-public.netflix.com/categories/title_states",
                    label=label,
                    term=label,
                ),
            ),
        )

    node = el(
        "title_states",
        None,
        el(
            "title_state",
            None,
            el(
                "link",
                href="http://api.netflix.com/catalog/titles/movies/5",
                rel=f"{SCHEMAS}/catalog/title",
                title="Five",
            ),
            state_item("instant", "instant", "Play", True),
            state_item("disc", "DVD", "In Queue", False),
        ),
    )
    for doc in rendered_both(node):
        (state,) = users.title_states(doc, ref_base=BASE)
        assert state.id == "movies/5"
        assert state.items == [
            TitleStateItem(
                queue=QueueType.INSTANT, format="instant", preferred=True, states=[TitleAction.PLAY]
            ),
            TitleStateItem(
                queue=QueueType.DISC, format="DVD", preferred=False, states=[TitleAction.IN_QUEUE]
            ),
        ]
    for doc in rendered_both(el("title_states", None)):
        assert users.title_states(doc, ref_base=BASE) == []
