"""Structure comparison between recorded Netflix responses and the emulator's answers.

A document's structure is the set of element paths (`catalog_titles/catalog_title/link`),
the attribute names seen on each path, the `rel` URIs of its links and the category
schemes (host removed, since it changed from api.netflix.com to api-public.netflix.com).
Values, order and counts are ignored: recordings and generated data differ there by design.
JSON documents (Netflix's `output=json`) give the same kind of structure from key paths.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from lxml import etree


@dataclass(slots=True)
class Structure:
    """Element (or key) paths with their attribute names, plus link rels and schemes."""

    paths: dict[str, set[str]] = field(default_factory=dict)
    rels: set[str] = field(default_factory=set)
    schemes: set[str] = field(default_factory=set)

    def note(self, path: str, attrs: Iterable[str] = ()) -> None:
        """Record a path and attribute names seen on it."""
        self.paths.setdefault(path, set()).update(attrs)


def _scheme_path(scheme: str) -> str:
    return urlsplit(scheme).path or scheme


def xml_structure(data: bytes) -> Structure:
    """The structure of an XML document (whitespace, comments and prolog ignored)."""
    parser = etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True)
    root = etree.fromstring(data.strip(), parser)
    structure = Structure()

    def walk(element: etree._Element, prefix: str) -> None:
        if not isinstance(element.tag, str):
            return
        path = f"{prefix}/{element.tag}" if prefix else element.tag
        structure.note(path, (str(name) for name in element.attrib))
        rel = element.get("rel")
        if element.tag == "link" and rel is not None:
            structure.rels.add(rel)
        scheme = element.get("scheme")
        if scheme is not None:
            structure.schemes.add(_scheme_path(scheme))
        for child in element:
            walk(child, path)

    walk(root, "")
    return structure


def json_structure(document: Mapping[str, Any] | bytes | str) -> Structure:
    """The structure of a Netflix JSON document: key paths, list items merged."""
    data = json.loads(document) if isinstance(document, (bytes, str)) else document
    structure = Structure()

    def walk(value: Any, path: str) -> None:
        if isinstance(value, list):
            for item in value:
                walk(item, path)
            return
        structure.note(path)
        if not isinstance(value, dict):
            return
        for key, child in value.items():
            if key == "rel" and isinstance(child, str):
                structure.rels.add(child)
            if key == "scheme" and isinstance(child, str):
                structure.schemes.add(_scheme_path(child))
            walk(child, f"{path}/{key}")

    for key, value in data.items():
        walk(value, key)
    return structure


def structure_of(data: bytes, *, is_json: bool) -> Structure:
    """Parse either wire format."""
    return json_structure(data) if is_json else xml_structure(data)


def differences(recorded: Structure, emulated: Structure) -> set[str]:
    """Every structural difference, as stable strings such as `missing path a/b`."""
    found: set[str] = set()
    for path, attrs in recorded.paths.items():
        if path not in emulated.paths:
            found.add(f"missing path {path}")
            continue
        found.update(f"missing attribute {path}@{a}" for a in attrs - emulated.paths[path])
        found.update(f"extra attribute {path}@{a}" for a in emulated.paths[path] - attrs)
    found.update(f"extra path {p}" for p in emulated.paths.keys() - recorded.paths.keys())
    found.update(f"missing rel {r}" for r in recorded.rels - emulated.rels)
    found.update(f"extra rel {r}" for r in emulated.rels - recorded.rels)
    found.update(f"missing scheme {s}" for s in recorded.schemes - emulated.schemes)
    found.update(f"extra scheme {s}" for s in emulated.schemes - recorded.schemes)
    return found


def unexplained(
    recorded: Structure, emulated: Structure, allowed: Mapping[str, str] | Iterable[str] = ()
) -> list[str]:
    """Differences not in the allow-list (a mapping of difference -> reason, or a set)."""
    return sorted(differences(recorded, emulated) - set(allowed))
