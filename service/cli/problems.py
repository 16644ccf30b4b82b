"""What the command line says when it cannot go on: one clear line and exit status 2.

Operators read these in a terminal or a container log, so a bad setting or a port in use is
one sentence naming the variable or the address, never a traceback.
"""

from __future__ import annotations

from pydantic import ValidationError

from service.settings import Settings

USAGE_ERROR = 2


class CliError(Exception):
    """A problem the operator must fix before the command can run; its text is the whole story."""


def load_settings() -> Settings:
    """The settings from the environment, or `CliError` naming each bad variable."""
    try:
        return Settings()
    except ValidationError as exc:
        raise CliError(describe(exc)) from None


def describe(exc: ValidationError) -> str:
    """One line for every refused setting: `NFX_NAME: what is wrong`."""
    parts = []
    for error in exc.errors(include_url=False):
        message = str(error["msg"]).removeprefix("Value error, ")
        if error["loc"]:
            name = "NFX_" + str(error["loc"][0]).upper()
            parts.append(f"{name}: {message}")
        else:
            parts.append(message)
    return "invalid configuration: " + "; ".join(parts)
