"""Answers written from the readers' plain fields are the bytes the public models would write.

Search, similars and index answers skip pydantic: `dump_json` writes `title_page_fields` and
`index_fields` directly. These tests hold those bytes to the models' own serialization over
the emulator's answers (XML and Netflix JSON, every part expanded or none) and the recordings.
"""

from __future__ import annotations

import itertools

import pytest

from emulator import EmulatorConfig, create_emulator
from service.netflix.catalog_calls import EXPAND_NAMES
from service.netflix.document import Doc
from service.netflix.netflix_json import parse_json
from service.netflix.normalize.common import dump_json
from service.netflix.normalize.index import index_fields
from service.netflix.normalize.titles import title_page_fields
from service.netflix.xml import StreamParser, parse_xml
from service.schemas.titles import IndexTitle, TitlePage
from tests.support.oauth import asgi_client, signer
from tests.support.samples import samples_dir

BASE = "http://api-public.netflix.com"
LIMIT = 50_000_000


def _as_model(doc: Doc, **page: str) -> tuple[bytes, bytes]:
    fields = title_page_fields(doc, ref_base=BASE, page_size=25, **page)
    return dump_json(fields), TitlePage.model_validate(fields).model_dump_json().encode()


@pytest.mark.parametrize("expand", ["", ",".join(EXPAND_NAMES.values())])
@pytest.mark.parametrize("output", ["xml", "json"])
async def test_search_fields_write_the_model_bytes(expand: str, output: str) -> None:
    emulator = create_emulator(EmulatorConfig(catalog_size=300, rate_limits=False))
    params = {"term": "a", "max_results": "100"}
    if expand:
        params["expand"] = expand
    if output == "json":
        params["output"] = "json"
    async with asgi_client(emulator, auth=signer()) as client:
        answer = await client.get("/catalog/titles", params=params)
    assert answer.status_code == 200, answer.text[:300]
    parse = parse_json if output == "json" else parse_xml
    written, expected = _as_model(parse(answer.content, max_bytes=LIMIT))
    assert written == expected
    assert written.count(b'"kind":"series"') and written.count(b'"kind":"movie"')
    assert (b'"cast_members":[{' in written) == bool(expand)


def test_recorded_searches_write_the_model_bytes() -> None:
    found = sorted((samples_dir() / "catalog_titles").glob("*.xml"))
    recommendations = sorted((samples_dir() / "recommendations").glob("*.json"))
    assert found and recommendations
    for path in found:
        assert len(set(_as_model(parse_xml(path.read_bytes(), max_bytes=LIMIT)))) == 1, path
    for path in recommendations:
        doc = parse_json(path.read_bytes(), max_bytes=LIMIT)
        written, expected = _as_model(doc, root="recommendations", item="recommendation")
        assert written == expected, path


async def test_index_fields_write_the_model_bytes() -> None:
    emulator = create_emulator(EmulatorConfig(catalog_size=300, rate_limits=False))
    async with asgi_client(emulator, auth=signer()) as client:
        answer = await client.get("/catalog/titles/index")
    assert answer.status_code == 200
    parser = StreamParser("title_index_item")
    count = 0
    for doc in itertools.chain(parser.feed(answer.content), parser.close()):
        fields = index_fields(doc.node(), ref_base=BASE)
        assert dump_json(fields) == IndexTitle.model_validate(fields).model_dump_json().encode()
        count += 1
    assert count == 300
