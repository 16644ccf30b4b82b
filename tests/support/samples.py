"""Recorded Netflix samples next to the repository, and parsing helpers for normalizer tests.

The recordings live in `<repo>/../shared/netflix-samples`; tests that need one skip when it
is not there, so the suite still runs in a checkout without them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from emulator.document import Node, render_json, render_xml
from service.netflix.document import Doc
from service.netflix.netflix_json import parse_json
from service.netflix.xml import parse_xml

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "netflix-samples"
"""Where the recorded samples are expected (present or not)."""

LIMIT = 10_000_000
"""The byte cap the helpers parse with."""

_WHERE = "recorded samples live in <repo>/../shared/netflix-samples"


def samples_dir() -> Path:
    """The recorded samples folder, or skip the calling test when it is absent."""
    if not SAMPLES.is_dir():
        pytest.skip(f"no recorded samples at {SAMPLES} ({_WHERE})")
    return SAMPLES


def sample_path(*parts: str) -> Path:
    """The recorded sample at `parts` below the samples folder, or skip when it is absent."""
    path = samples_dir().joinpath(*parts)
    if not path.is_file():
        pytest.skip(f"recorded sample {'/'.join(parts)} is not present in {SAMPLES}")
    return path


def sample_doc(*parts: str) -> Doc:
    """A recorded sample parsed as Netflix JSON (`.json`) or XML (anything else)."""
    path = sample_path(*parts)
    body = path.read_bytes()
    if path.suffix == ".json":
        return parse_json(body, max_bytes=LIMIT)
    return parse_xml(body, max_bytes=LIMIT)


def parsed_both(xml: bytes, json: bytes, *, max_bytes: int = LIMIT) -> tuple[Doc, Doc]:
    """The same document given as XML and as Netflix JSON, both parsed."""
    return parse_xml(xml, max_bytes=max_bytes), parse_json(json, max_bytes=max_bytes)


def rendered_both(node: Node) -> tuple[Doc, Doc]:
    """An emulator node rendered as XML and as Netflix JSON, both parsed."""
    return parsed_both(render_xml(node), render_json(node))
