"""Print the proxy's OpenAPI document as JSON (`make openapi` writes openapi/openapi.json).

The document does not depend on configuration, so it is built from default settings and the
environment is ignored: the committed file is the same on every machine.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from service.app import create_app
from service.settings import Settings


def openapi_document() -> dict[str, Any]:
    """The OpenAPI document of an app built with default settings."""
    return create_app(Settings.model_construct()).openapi()


def render() -> str:
    """The document as it is committed: indented, keys in generation order, final newline."""
    return json.dumps(openapi_document(), indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    """Write the document to standard output."""
    sys.stdout.write(render())


if __name__ == "__main__":
    main()
