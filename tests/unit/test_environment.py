"""The tests run with no ambient setting, whatever the developer's shell holds."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# A test that reads the settings' defaults from the environment.
READS_DEFAULTS = "tests/unit/test_breaker.py::test_the_window_is_a_setting_that_refuses_negatives"


def test_no_ambient_setting_reaches_the_tests() -> None:
    assert not [name for name in os.environ if name.startswith("NFX_")]


def test_settings_in_the_shell_do_not_change_test_outcomes() -> None:
    shell = {
        "NFX_REDIS_RETRY_AFTER_S": "-1",  # invalid
        "NFX_BUDGET_USRE_PER_S": "9",  # misspelled: the settings refuse unknown names
    }
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", READS_DEFAULTS],
        env={**os.environ, **shell},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
