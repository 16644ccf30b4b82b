"""The home screen's sections written from the readers' plain fields are the models' bytes.

`GET /v1/me/home` and the per-subscriber cache write the profile, queue, at-home, rental
history and recommendation fields with `dump_json`, never through a model. These tests hold
those bytes to the models' own serialization over the emulator's answers (XML and Netflix
JSON, every demo subscriber, several pages) and the recordings.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pydantic import TypeAdapter

from emulator import EmulatorConfig, create_emulator
from service.netflix.document import Doc
from service.netflix.netflix_json import parse_json
from service.netflix.normalize import queues, rentals, titles, users
from service.netflix.normalize.common import dump_json
from service.netflix.xml import parse_xml
from service.schemas.queues import QueuePage, QueueType
from service.schemas.rentals import RentalEntry, RentalPage
from service.schemas.titles import TitlePage
from service.schemas.users import User
from tests.support.oauth import asgi_client, signer
from tests.support.samples import samples_dir

BASE = "http://api-public.netflix.com"
LIMIT = 50_000_000
Reader = Callable[[Doc], Any]


def _queue(queue: QueueType) -> Reader:
    return lambda doc: queues.queue_page_fields(doc, ref_base=BASE, page_size=25, queue=queue)[0]


# Each section's upstream path (under `/users/{id}`), the reader of its answer and its model.
SECTIONS: list[tuple[str, dict[str, str], Reader, TypeAdapter[Any]]] = [
    ("", {}, users.user_fields, TypeAdapter(User)),
    ("/queues/disc", {"max_results": "500"}, _queue(QueueType.DISC), TypeAdapter(QueuePage)),
    ("/queues/disc/saved", {}, _queue(QueueType.DISC), TypeAdapter(QueuePage)),
    (
        "/queues/instant",
        {"sort": "alphabetical"},
        _queue(QueueType.INSTANT),
        TypeAdapter(QueuePage),
    ),
    (
        "/at_home",
        {},
        lambda doc: rentals.at_home_fields(doc, ref_base=BASE),
        TypeAdapter(list[RentalEntry]),
    ),
    (
        "/rental_history",
        {"max_results": "100"},
        lambda doc: rentals.rental_page_fields(doc, ref_base=BASE, page_size=100),
        TypeAdapter(RentalPage),
    ),
    (
        "/rental_history/watched",
        {"start_index": "1", "max_results": "3"},
        lambda doc: rentals.rental_page_fields(doc, ref_base=BASE, page_size=3),
        TypeAdapter(RentalPage),
    ),
    (
        "/recommendations",
        {"max_results": "100"},
        lambda doc: titles.title_page_fields(
            doc, ref_base=BASE, page_size=100, root="recommendations", item="recommendation"
        ),
        TypeAdapter(TitlePage),
    ),
]


def _written(doc: Doc, read: Reader, model: TypeAdapter[Any]) -> bytes:
    """The reader's bytes, after holding them to the model's own serialization."""
    fields = read(doc)
    written = dump_json(fields)
    assert written == model.dump_json(model.validate_python(fields), by_alias=True)
    return written


@pytest.mark.parametrize("output", ["xml", "json"])
async def test_home_section_fields_write_the_model_bytes(output: str) -> None:
    emulator = create_emulator(EmulatorConfig(catalog_size=300, rate_limits=False))
    parse = parse_json if output == "json" else parse_xml
    written = b""
    for user_id, token, secret in emulator.state.context.oauth.demo_tokens():
        async with asgi_client(emulator, auth=signer(token, secret)) as client:
            for path, params, read, model in SECTIONS:
                if output == "json":
                    params = {**params, "output": "json"}
                answer = await client.get(f"/users/{user_id}{path}", params=params)
                assert answer.status_code == 200, answer.text[:300]
                written += _written(parse(answer.content, max_bytes=LIMIT), read, model)
    for field in ("position", "updated_at", "shipped_at", "returned_at", "predicted_rating"):
        assert written.count(f'"{field}":'.encode()) > written.count(f'"{field}":null'.encode())


def test_recorded_home_sections_write_the_model_bytes() -> None:
    recorded = samples_dir()
    found = [
        *((p, _queue(QueueType.DISC), QueuePage) for p in (recorded / "queue").glob("*.json")),
        *((p, _queue(QueueType.INSTANT), QueuePage) for p in (recorded / "queue").glob("*.xml")),
        *((p, users.user_fields, User) for p in (recorded / "user").glob("*.json")),
    ]
    assert len(found) >= 4
    for path, read, model in found:
        parse = parse_json if path.suffix == ".json" else parse_xml
        _written(parse(path.read_bytes(), max_bytes=LIMIT), read, TypeAdapter(model))


def test_numbers_beyond_64_bits_are_no_number_and_the_page_is_still_written() -> None:
    """orjson writes 64-bit integers only; an absurd upstream count is null, not a failure."""
    huge = "99999999999999999999"
    body = (
        "<queue><number_of_results>1</number_of_results><start_index>0</start_index>"
        "<results_per_page>25</results_per_page><etag>7</etag><queue_item>"
        f"<id>{BASE}/users/u1/queues/disc/available/1/60031236</id>"
        f"<position>{huge}</position><runtime>{huge}</runtime>"
        f"<release_year>1e30</release_year><title regular='Kill Bill' short='Kill Bill'/>"
        f'<link href="{BASE}/catalog/titles/movies/60031236" '
        'rel="http://schemas.netflix.com/catalog/title" title="Kill Bill"/>'
        "</queue_item></queue>"
    ).encode()
    doc = parse_xml(body, max_bytes=LIMIT)
    page = _written(doc, _queue(QueueType.DISC), TypeAdapter(QueuePage))
    entry = QueuePage.model_validate_json(page).items[0]
    assert entry.position is None
    assert entry.title.runtime_s is None and entry.title.release_year is None
