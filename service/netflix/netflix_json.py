"""Netflix's own JSON (`output=json`): parsed into the same `Doc` view as XML answers."""

from __future__ import annotations

import orjson

from service.errors import BadUpstream
from service.netflix.document import JsonDoc

# The live API labelled its JSON `text/javascript`; later hosts say `application/json`.
_JSON_TYPES = ("json", "javascript")


def is_json(content_type: str, body: bytes) -> bool:
    """Whether an answer is Netflix JSON: by its label, or by its first byte when unlabelled."""
    kind = content_type.lower()
    if any(name in kind for name in _JSON_TYPES):
        return True
    return not kind and body.lstrip().startswith(b"{")


def parse_json(body: bytes, *, max_bytes: int) -> JsonDoc:
    """Parse `{"root_tag": {...}}`; `BadUpstream` when it is too large or not that shape."""
    if len(body) > max_bytes:
        raise BadUpstream(f"the upstream document exceeds {max_bytes} bytes")
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise BadUpstream("the upstream sent malformed JSON") from exc
    if not isinstance(value, dict) or len(value) != 1:
        raise BadUpstream("the upstream JSON document has no single root element")
    ((tag, content),) = value.items()
    return JsonDoc(tag, content)
