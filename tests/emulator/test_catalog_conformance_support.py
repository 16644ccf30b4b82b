"""The structure comparison itself: it must see what differs and ignore what may."""

from __future__ import annotations

from emulator.document import el, render_json, render_xml
from tests.emulator.conformance import (
    differences,
    json_structure,
    unexplained,
    xml_structure,
)

RECORDED = b"""<?xml version="1.0" standalone="yes"?>
<catalog_titles>
  <link href="http://api.netflix.com/catalog/titles/index"
        rel="http://schemas.netflix.com/catalog/titles/index" title="index"></link>
  <number_of_results>2</number_of_results>
  <catalog_title><id>1</id><title short="A" regular="A"/>
    <category scheme="http://api.netflix.com/categories/genres" label="X" term="X"/>
  </catalog_title>
  <catalog_title><id>2</id><title short="B" regular="B"/></catalog_title>
</catalog_titles>"""


def test_structure_ignores_values_order_counts_whitespace_and_scheme_hosts() -> None:
    emulated = el(
        "catalog_titles",
        None,
        el("number_of_results", 9),
        el(
            "link",
            href="http://elsewhere/x",
            rel="http://schemas.netflix.com/catalog/titles/index",
            title="other",
        ),
        el(
            "catalog_title",
            None,
            el("id", 5),
            el("title", regular="Z", short="Z"),
            el(
                "category",
                scheme="http://api-public.netflix.com/categories/genres",
                label="Y",
                term="Y",
            ),
        ),
    )
    assert differences(xml_structure(RECORDED), xml_structure(render_xml(emulated))) == set()


def test_structure_reports_paths_attributes_rels_and_schemes() -> None:
    emulated = el(
        "catalog_titles",
        None,
        el(
            "link",
            href="h",
            rel="http://schemas.netflix.com/catalog/titles/autocomplete",
            title="t",
        ),
        el(
            "catalog_title",
            None,
            el("id", 1),
            el("title", short="A"),
            el("runtime", 60),
            el(
                "category",
                scheme="http://api.netflix.com/categories/mpaa_ratings",
                label="R",
                term="R",
            ),
        ),
    )
    found = differences(xml_structure(RECORDED), xml_structure(render_xml(emulated)))
    assert found == {
        "missing path catalog_titles/number_of_results",
        "missing attribute catalog_titles/catalog_title/title@regular",
        "extra path catalog_titles/catalog_title/runtime",
        "missing rel http://schemas.netflix.com/catalog/titles/index",
        "extra rel http://schemas.netflix.com/catalog/titles/autocomplete",
        "missing scheme /categories/genres",
        "extra scheme /categories/mpaa_ratings",
    }
    allowed = {"extra path catalog_titles/catalog_title/runtime": "a documented choice"}
    assert "extra path catalog_titles/catalog_title/runtime" not in unexplained(
        xml_structure(RECORDED), xml_structure(render_xml(emulated)), allowed
    )


def test_json_structure_uses_key_paths_and_merges_list_items() -> None:
    document = el(
        "queue",
        None,
        el("etag", 1),
        el(
            "queue_item",
            None,
            el("id", 1),
            el("link", href="h", rel="http://schemas.netflix.com/queues.available", title="t"),
        ),
        el(
            "queue_item",
            None,
            el("id", 2),
            el(
                "category", scheme="http://api-public.netflix.com/categories/x", label="l", term="t"
            ),
        ),
    )
    structure = json_structure(render_json(document))
    assert set(structure.paths) == {
        "queue",
        "queue/etag",
        "queue/queue_item",
        "queue/queue_item/id",
        "queue/queue_item/link",
        "queue/queue_item/link/href",
        "queue/queue_item/link/rel",
        "queue/queue_item/link/title",
        "queue/queue_item/category",
        "queue/queue_item/category/scheme",
        "queue/queue_item/category/label",
        "queue/queue_item/category/term",
    }
    assert structure.rels == {"http://schemas.netflix.com/queues.available"}
    assert structure.schemes == {"/categories/x"}
