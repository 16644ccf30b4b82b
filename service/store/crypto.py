"""Encryption at rest of what must stay secret in Redis (access-token secrets, token pairs).

Fernet (AES-128-CBC + HMAC-SHA256) with key rotation: the first key of
`NFX_TOKEN_ENCRYPTION_KEY` encrypts, every listed key decrypts. Each payload is bound to the
Redis key it is stored under (checked on decryption), so a ciphertext copied under another
key does not decrypt there.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from service.settings import Settings


class UndecryptableError(Exception):
    """The ciphertext was not made by our keys, was tampered with, or belongs elsewhere."""


class TokenCipher:
    """Encrypts and decrypts small payloads for the store, bound to their storage key."""

    def __init__(self, keys: list[bytes]) -> None:
        if not keys:
            raise ValueError("at least one Fernet key is needed")
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    @classmethod
    def from_settings(cls, settings: Settings) -> TokenCipher:
        """The cipher for `token_encryption_key` (ephemeral per settings object if unset)."""
        return cls(settings.encryption_keys())

    def encrypt(self, plaintext: bytes, *, context: str) -> bytes:
        """Ciphertext of `plaintext`, bound to `context` (the Redis key it will live under)."""
        return self._fernet.encrypt(_bind(context, plaintext))

    def decrypt(self, ciphertext: bytes, *, context: str) -> bytes:
        """The plaintext, if made by one of our keys for this same `context`."""
        try:
            data = self._fernet.decrypt(ciphertext)
        except InvalidToken as exc:
            raise UndecryptableError("ciphertext not decryptable with the configured keys") from exc
        prefix = _bind(context, b"")
        if not data.startswith(prefix):
            raise UndecryptableError("ciphertext belongs to another key")
        return data[len(prefix) :]


def _bind(context: str, plaintext: bytes) -> bytes:
    label = context.encode()
    return len(label).to_bytes(4, "big") + label + plaintext
