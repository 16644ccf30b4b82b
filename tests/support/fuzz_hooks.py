"""Schemathesis hooks for the fuzzing test (loaded through SCHEMATHESIS_HOOKS).

* The session: every request carries the test's session token as a Bearer credential, set
  through schemathesis' auth provider, so that its checks can also leave it out on purpose
  (a header given on the command line would be added back to every request).
* Generated requests reuse header values across operations and bodies, so two different
  writes would share an `Idempotency-Key`, which the API rightly refuses (422). Each call gets
  a fresh key here; reusing a key is tested on its own elsewhere (`test_idempotency`).
"""

from __future__ import annotations

import os
import uuid
from typing import Any

import schemathesis

SESSION_VARIABLE = "FUZZ_SESSION_TOKEN"


@schemathesis.auth()
class SessionAuth:
    """The fuzzing session's bearer token."""

    def get(self, case: Any, context: Any) -> str:
        return os.environ[SESSION_VARIABLE]

    def set(self, case: Any, data: str, context: Any) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    """A fresh Idempotency-Key on every call that carries one, in every phase."""
    if case.headers and "Idempotency-Key" in case.headers:
        case.headers["Idempotency-Key"] = uuid.uuid4().hex
