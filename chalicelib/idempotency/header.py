"""The `Idempotency-Key` request header, read and checked before anything is claimed."""

from __future__ import annotations

from collections.abc import Mapping

from chalicelib.errors import InvalidIdempotencyKeyError

HEADER = "idempotency-key"  # Chalice's request headers look names up case-insensitively
MAX_KEY_CHARS = 255


def idempotency_key_of(headers: Mapping[str, str]) -> str | None:
    """The key the client sent, None without the header; a bad one is a 400 before any write.

    Any printable text of 1 to 255 characters is a key (UUIDs are the usual choice); it is
    hashed into the item's sort key (storage/keys.py), so no character of it reaches a key.
    """
    value = headers.get(HEADER)
    if value is None:
        return None
    if not value or len(value) > MAX_KEY_CHARS:
        raise InvalidIdempotencyKeyError(
            f"Idempotency-Key must be 1 to {MAX_KEY_CHARS} characters (got {len(value)})"
        )
    if not value.isprintable():
        raise InvalidIdempotencyKeyError(
            "Idempotency-Key must be printable characters only (no control characters)"
        )
    return value
