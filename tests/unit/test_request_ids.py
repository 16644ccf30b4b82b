"""Request ids the proxy makes: 32 hex digits, never twice, another prefix in another process."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from service.request_context import new_record

CHILD = "from service.request_context import new_record; print(new_record(None).request_id)"


def test_made_ids_are_hex_and_unique() -> None:
    ids = [new_record(None).request_id for _ in range(1000)]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[0-9a-f]{32}", request_id) for request_id in ids)


def test_each_process_draws_its_own_prefix() -> None:
    made = {
        subprocess.run(
            [sys.executable, "-c", CHILD], capture_output=True, text=True, check=True
        ).stdout.strip()
        for _ in range(2)
    }
    assert len(made) == 2 and {len(request_id) for request_id in made} == {32}


def test_a_forked_child_draws_its_own_prefix() -> None:
    """uvicorn's workers are forked after the parent may have made ids."""
    parent = new_record(None).request_id
    reading, writing = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child reports through the pipe and exits
        os.write(writing, new_record(None).request_id.encode())
        os._exit(0)
    os.close(writing)
    made = os.read(reading, 64).decode()
    os.close(reading)
    os.waitpid(child, 0)
    assert len(made) == 32 and made[:16] != parent[:16]
    assert new_record(None).request_id[:16] == parent[:16]


def test_acceptable_client_ids_are_kept() -> None:
    assert new_record(b"abc-123").request_id == "abc-123"
    assert new_record(b"bad id!").generated
