"""A Python client generated from openapi/openapi.json walks through the proxy.

openapi-python-client (pinned in the dev extras) generates it at test time, as a user would,
and nothing edits it: the walkthrough reads every answer through the generated models.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from tests.clients.conftest import RunningProxy
from tests.support.generators import OPENAPI, ROOT, run_tool
from tests.support.tcp_stack import TIMEOUT_S

pytestmark = pytest.mark.integration

PACKAGE = "netflix_proxy_client"
CONFIG = ROOT / "clients" / "python" / "openapi-python-client.yaml"
JURASSIC_PARK = "movies/60020435"


@pytest.fixture(scope="module")
def generation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """The generated package's folder and what the generator printed; importable meanwhile."""
    where = tmp_path_factory.mktemp("python-client")
    output = run_tool(
        [
            Path(sys.executable).parent / "openapi-python-client",
            *("generate", "--path", OPENAPI, "--config", CONFIG, "--meta", "none"),
            *("--output-path", where / PACKAGE),
        ],
        cwd=where,
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(where))
        yield where / PACKAGE, output
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def _module(name: str) -> Any:
    """A generated module (typed `Any`: mypy does not see code generated at test time)."""
    return importlib.import_module(f"{PACKAGE}.{name}")


def test_the_generator_has_nothing_to_warn_about(generation: tuple[Path, str]) -> None:
    package, output = generation
    assert output.strip().splitlines() == [f"Generating {package}"]
    # Every operation became a function module named after its operation id, in its tag.
    api = {path.relative_to(package / "api").as_posix() for path in package.glob("api/*/*.py")}
    for expected in (
        "catalog/search_titles.py",
        "auth/import_token.py",
        "queues/add_queue_entry.py",
        "queues/get_queue.py",
        "catalog/stream_index.py",
    ):
        assert expected in api
    imported: list[ModuleType] = [importlib.import_module(PACKAGE)]
    for found in pkgutil.walk_packages([str(package)], prefix=f"{PACKAGE}."):
        imported.append(importlib.import_module(found.name))
    assert len(imported) > len(api)


def test_the_generated_models_and_calls_type_check(generation: tuple[Path, str]) -> None:
    """What the document shapes (models, one module per call) passes `mypy --strict`.

    The generator's fixed `client.py` is left out (`--follow-imports=silent`): its context
    manager methods trip strict mypy whatever the document says.
    """
    package, _ = generation
    output = run_tool(
        [
            *(sys.executable, "-m", "mypy", "--strict", "--no-incremental"),
            *("--follow-imports=silent", package / "models", package / "api"),
        ],
        cwd=package.parent,
    )
    assert output.startswith("Success: no issues found"), output


def test_walkthrough_through_the_generated_client(
    generation: tuple[Path, str], running_proxy: RunningProxy
) -> None:
    client_module, models = _module("client"), _module("models")
    search_titles = _module("api.catalog.search_titles")
    import_token = _module("api.auth.import_token")
    add_queue_entry = _module("api.queues.add_queue_entry")
    get_queue = _module("api.queues.get_queue")
    timeout = httpx.Timeout(TIMEOUT_S)
    user_id, token, secret = running_proxy.tokens[0]
    with client_module.Client(
        base_url=running_proxy.url, timeout=timeout, raise_on_unexpected_status=True
    ) as client:
        title = _find_jurassic_park(client, search_titles, models)
        grant = import_token.sync(
            client=client,
            body=models.TokenImport(access_token=token, access_token_secret=secret),
        )
        assert isinstance(grant, models.SessionGrant)
        assert grant.user_id == user_id
        problem = _bad_input_problem(client, search_titles, models)
    with client_module.AuthenticatedClient(
        base_url=running_proxy.url,
        token=grant.session_token,
        timeout=timeout,
        raise_on_unexpected_status=True,
    ) as signed_in:
        disc = models.QueueType.DISC
        wanted = models.NewQueueEntry(title=title.id, position=1)
        added = add_queue_entry.sync_detailed(queue=disc, client=signed_in, body=wanted)
        queue = get_queue.sync(queue=disc, client=signed_in, state=models.QueueState.AVAILABLE)
        again = add_queue_entry.sync(queue=disc, client=signed_in, body=wanted)

    assert added.status_code == 201
    assert isinstance(added.parsed, models.QueueEntry)
    assert added.parsed.title.id == JURASSIC_PARK
    assert added.parsed.position == 1
    assert isinstance(queue, models.QueuePage)
    queued = next(e for e in queue.items if e.title.id == JURASSIC_PARK)
    assert queued.title.title == "Jurassic Park"
    assert queued.position == 1
    assert isinstance(again, models.Problem)
    assert (again.status, again.title) == (409, "Already in queue")
    assert problem.status == 422
    assert [error.loc for error in problem.errors] == [["query", "page_size"]]


def _find_jurassic_park(client: Any, search_titles: Any, models: Any) -> Any:
    found = search_titles.sync(client=client, term="Jurassic Park", include="cast")
    assert isinstance(found, models.TitlePage)
    title = next(t for t in found.items if t.id == JURASSIC_PARK)
    assert isinstance(title, models.Title)
    assert title.title == "Jurassic Park"
    assert title.kind is models.TitleKind.MOVIE
    assert title.cast_members, "include=cast lists the actors"
    assert all(isinstance(person, models.PersonRef) for person in title.cast_members)
    return title


def _bad_input_problem(client: Any, search_titles: Any, models: Any) -> Any:
    bad = search_titles.sync_detailed(client=client, term="Jurassic Park", page_size=0)
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert isinstance(bad.parsed, models.Problem)
    return bad.parsed
