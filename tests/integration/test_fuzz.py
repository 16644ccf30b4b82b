"""Schemathesis against the running service, from the committed OpenAPI document.

Every check runs (status codes and headers documented, responses matching their schemas,
schema-valid requests accepted, invalid ones refused, no 500). The proxy runs over TCP with
a private redis-server and the emulator as its upstream; requests carry a session, so the
`/v1/me` routes are exercised too. Budgets and the sign-in throttle are raised out of the way
so that the checks reach the logic behind them. The seed is fixed so that a failure can be
replayed (`st replay`); change `SEED` to explore other cases.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from tests.support.fuzz_hooks import SESSION_VARIABLE
from tests.support.servers import redis_server
from tests.support.tcp_stack import (
    demo_tokens,
    emulator_twin,
    import_session,
    start_emulator,
    start_proxy,
)

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
SEED = "20261203"
MAX_EXAMPLES = "12"
RUN_LIMIT_S = 600
# Signing out would end the session every other operation runs with.
EXCLUDED_PATHS = ["/v1/auth/sign-out"]


def test_fuzzing_the_documented_api_finds_no_failure(tmp_path: Path) -> None:
    fuzzer = shutil.which("schemathesis", path=str(Path(sys.executable).parent))
    assert fuzzer is not None, "schemathesis is a dev dependency: `make setup`"
    with redis_server() as redis, ExitStack() as processes:
        emulator = start_emulator(processes)
        proxy = start_proxy(
            processes,
            emulator,
            redis.url,
            Fernet.generate_key().decode(),
            NFX_BUDGET_USER_PER_S="1000",
            NFX_BUDGET_CONSUMER_PER_S="1000",
            NFX_SIGNIN_PER_MINUTE="100000",
            NFX_ADMIN_TOKEN="fuzzing-admin-token-0123456789",
        )
        _, token, secret = demo_tokens(emulator_twin())[0]
        session, _ = import_session(proxy, token, secret)
        command = [
            fuzzer,
            "run",
            str(ROOT / "openapi" / "openapi.json"),
            "--url",
            proxy,
            "--checks",
            "all",
            "--max-examples",
            MAX_EXAMPLES,
            "--seed",
            SEED,
            "--no-color",
        ]
        for path in EXCLUDED_PATHS:
            command += ["--exclude-path", path]
        result = subprocess.run(
            command,
            env={
                **os.environ,
                "SCHEMATHESIS_HOOKS": "tests.support.fuzz_hooks",
                SESSION_VARIABLE: session,
            },
            capture_output=True,
            text=True,
            timeout=RUN_LIMIT_S,
            cwd=ROOT,
            check=False,
        )
    report = result.stdout + result.stderr
    assert result.returncode == 0, report[-20000:]
    assert "No issues found" in report or " passed" in report, report[-3000:]
