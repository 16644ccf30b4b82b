"""OAuth 1.0a as the Netflix API spoke it: HMAC-SHA1 signatures, request/access tokens, sign-in."""

from __future__ import annotations
