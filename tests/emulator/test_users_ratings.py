"""Title ratings over signed HTTP: actual, predicted, actual-or-predicted, create and update."""

from __future__ import annotations

import httpx
import pytest
from lxml import etree
from starlette.applications import Starlette

from emulator.accounts.state import Subscriber
from emulator.catalog.data import Title

BASE = "http://api-public.netflix.com"


def _subscriber(app: Starlette, user_id: str) -> Subscriber:
    found = app.state.context.accounts.get(user_id)
    assert isinstance(found, Subscriber)
    return found


def _unrated(app: Starlette, subscriber: Subscriber) -> list[Title]:
    return [t for t in app.state.context.catalog.titles if t.id not in subscriber.ratings.actual]


def _root(response: httpx.Response, status: int = 200) -> etree._Element:
    assert response.status_code == status, response.text
    return etree.fromstring(response.content)


async def test_actual_or_predicted(
    user_client: httpx.AsyncClient, demo_user_id: str, emulator_app: Starlette
) -> None:
    subscriber = _subscriber(emulator_app, demo_user_id)
    rating = next(iter(subscriber.ratings.actual.values()))
    unrated = _unrated(emulator_app, subscriber)[0]
    root = _root(
        await user_client.get(
            f"/users/{demo_user_id}/ratings/title",
            params={"title_refs": f"{rating.title.ref},{unrated.ref}"},
        )
    )
    rated_item, predicted_item = root.findall("ratings_item")
    assert rated_item.findtext("user_rating") == rating.value
    assert rated_item.findtext("id") == (
        f"{BASE}/users/{demo_user_id}/ratings/title/actual/{rating.rating_id}"
    )
    assert rated_item.find("predicted_rating") is None
    assert predicted_item.find("user_rating") is None
    assert 1.0 <= float(predicted_item.findtext("predicted_rating") or 0) <= 5.0
    assert predicted_item.find("title") is not None
    assert predicted_item.findtext("average_rating") == str(unrated.average_rating)


async def test_predicted_is_stable_and_actual_lists_only_rated(
    user_client: httpx.AsyncClient, demo_user_id: str, emulator_app: Starlette
) -> None:
    subscriber = _subscriber(emulator_app, demo_user_id)
    rated = next(iter(subscriber.ratings.actual.values())).title
    unrated = _unrated(emulator_app, subscriber)[0]
    refs = {"title_refs": f"{rated.ref},{unrated.ref}"}
    path = f"/users/{demo_user_id}/ratings/title"
    first = _root(await user_client.get(f"{path}/predicted", params=refs))
    again = _root(await user_client.get(f"{path}/predicted", params=refs))
    values = [i.findtext("predicted_rating") for i in first.findall("ratings_item")]
    assert len(values) == 2 and values == [
        i.findtext("predicted_rating") for i in again.findall("ratings_item")
    ]
    actual = _root(await user_client.get(f"{path}/actual", params=refs))
    assert [next(i.iterfind("link")).get("href") for i in actual.findall("ratings_item")] == [
        rated.ref
    ]
    everything = _root(await user_client.get(f"{path}/actual"))
    assert len(everything.findall("ratings_item")) == len(subscriber.ratings.actual)


async def test_create_then_update_a_rating(
    user_client: httpx.AsyncClient, demo_user_id: str, emulator_app: Starlette
) -> None:
    title = _unrated(emulator_app, _subscriber(emulator_app, demo_user_id))[0]
    path = f"/users/{demo_user_id}/ratings/title/actual"
    created = await user_client.post(path, data={"title_ref": title.ref, "rating": "4"})
    status = _root(created, 201)
    assert status.findtext("status_code") == "201"
    rating_url = status.findtext("resources_created/ratings_item/id") or ""
    assert rating_url == f"{BASE}{path}/{title.id}" == created.headers["location"]
    assert status.findtext("resources_created/ratings_item/user_rating") == "4"
    again = await user_client.post(path, data={"title_ref": title.ref, "rating": "2"})
    assert again.status_code == 400
    updated = await user_client.put(f"{path}/{title.id}", data={"rating": "not_interested"})
    assert _root(updated).findtext("message") == "Rating updated"
    single = _root(await user_client.get(f"{path}/{title.id}"))
    assert single.findtext("ratings_item/user_rating") == "not_interested"


@pytest.mark.parametrize("value", ["0", "6", "great", "", "4.5"])
async def test_invalid_rating_values(
    user_client: httpx.AsyncClient, demo_user_id: str, emulator_app: Starlette, value: str
) -> None:
    title = _unrated(emulator_app, _subscriber(emulator_app, demo_user_id))[0]
    response = await user_client.post(
        f"/users/{demo_user_id}/ratings/title/actual",
        data={"title_ref": title.ref, "rating": value},
    )
    assert _root(response, 400).findtext("message") == "rating is invalid"


async def test_rating_errors(user_client: httpx.AsyncClient, demo_user_id: str) -> None:
    path = f"/users/{demo_user_id}/ratings/title"
    unknown = await user_client.post(
        f"{path}/actual", data={"title_ref": f"{BASE}/catalog/titles/movies/1", "rating": "3"}
    )
    assert _root(unknown, 400).findtext("message") == "title_ref is invalid"
    assert (await user_client.get(f"{path}/actual/1")).status_code == 404
    assert (await user_client.put(f"{path}/actual/1", data={"rating": "3"})).status_code == 404
    assert (await user_client.get(path)).status_code == 400
    assert (await user_client.get(f"{path}/predicted")).status_code == 400


async def test_ratings_root_links(user_client: httpx.AsyncClient, demo_user_id: str) -> None:
    root = _root(await user_client.get(f"/users/{demo_user_id}/ratings"))
    assert len(root.findall("link")) == 3


async def test_put_through_method_override(
    user_client: httpx.AsyncClient, demo_user_id: str, emulator_app: Starlette
) -> None:
    rating = next(iter(_subscriber(emulator_app, demo_user_id).ratings.actual.values()))
    value = "1" if rating.value != "1" else "2"
    response = await user_client.post(
        f"/users/{demo_user_id}/ratings/title/actual/{rating.rating_id}",
        params={"method": "PUT"},
        data={"rating": value},
    )
    assert _root(response).findtext("message") == "Rating updated"
    assert rating.value == value
