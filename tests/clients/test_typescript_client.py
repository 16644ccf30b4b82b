"""A TypeScript client generated from openapi/openapi.json walks through the proxy.

openapi-typescript turns the document into types at test time, `tsc` type-checks the
walkthrough against them (strict) and compiles it, and node runs it with openapi-fetch: a
field, parameter or answer the document got wrong fails the compile or the run.
The toolchain's exact versions are pinned in clients/typescript/package-lock.json.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.clients.conftest import RunningProxy
from tests.support.generators import OPENAPI, ROOT, run_tool

pytestmark = pytest.mark.integration

TOOLCHAIN = ROOT / "clients" / "typescript"
JURASSIC_PARK = "movies/60020435"


def _node_modules() -> Path:
    """The pinned toolchain, installed from the lock file when missing (as `make test` does)."""
    modules = TOOLCHAIN / "node_modules"
    if not modules.is_dir():
        run_tool(["npm", "ci", "--no-audit", "--no-fund"], cwd=TOOLCHAIN)
    return modules


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A folder holding the generated types and the compiled walkthrough; the generator's output."""
    where = tmp_path_factory.mktemp("typescript-client")
    for name in ("package.json", "tsconfig.json", "walkthrough.ts"):
        shutil.copy(TOOLCHAIN / name, where / name)
    (where / "node_modules").symlink_to(_node_modules(), target_is_directory=True)
    tools = where / "node_modules" / ".bin"
    output = run_tool([tools / "openapi-typescript", OPENAPI, "-o", "api.d.ts"], cwd=where)
    run_tool([tools / "tsc", "-p", "tsconfig.json"], cwd=where)
    return where, output


def test_the_types_generate_and_type_check(compiled: tuple[Path, str]) -> None:
    where, output = compiled
    lines = output.strip().splitlines()
    assert len(lines) == 2, output  # the banner and the one file written, no warnings
    assert "api.d.ts" in lines[1]
    types = (where / "api.d.ts").read_text()
    assert "search_titles: {" in types  # operations are named after their operation ids
    assert "cast_members?:" in types
    assert (where / "out" / "walkthrough.js").is_file()


def test_walkthrough_through_the_generated_client(
    compiled: tuple[Path, str], running_proxy: RunningProxy
) -> None:
    where, _ = compiled
    user_id, token, secret = running_proxy.tokens[1]
    output = run_tool(["node", "out/walkthrough.js", running_proxy.url, token, secret], cwd=where)
    summary: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    assert summary["found"]["id"] == JURASSIC_PARK
    assert summary["found"]["title"] == "Jurassic Park"
    assert summary["found"]["cast_members"], "include=cast lists the actors"
    assert summary["user_id"] == user_id
    assert summary["added"] == {"status": 201, "id": JURASSIC_PARK, "position": 1}
    assert summary["queued"] == {"id": JURASSIC_PARK, "title": "Jurassic Park", "position": 1}
    assert summary["conflict"] == {"status": 409, "title": "Already in queue"}
    problem = summary["problem"]
    assert problem["status"] == 422
    assert problem["content_type"].startswith("application/problem+json")
    assert problem["error_locs"] == [["query", "page_size"]]
