"""Running client generators and the tools around them, as a client developer would."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OPENAPI = ROOT / "openapi" / "openapi.json"
# Generators and compilers are slow on a shared machine; no step of ours takes this long.
TOOL_TIMEOUT_S = 300.0


def run_tool(command: Sequence[str | Path], cwd: Path) -> str:
    """Run a command to completion; returns its combined output, fails the test if it failed.

    The virtualenv's bin folder leads PATH, so tools installed beside pytest (ruff, which the
    Python generator runs over its output) are found.
    """
    bin_dir = str(Path(sys.executable).parent)
    done = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env={**os.environ, "PATH": os.pathsep.join([bin_dir, os.environ.get("PATH", "")])},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=TOOL_TIMEOUT_S,
        check=False,
    )
    assert done.returncode == 0, f"{' '.join(map(str, command))} failed:\n{done.stdout}"
    return done.stdout
