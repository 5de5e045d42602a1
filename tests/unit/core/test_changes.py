"""Sync tokens: what we issue reads back exactly; anything else is INVALID_SYNC_TOKEN."""

from __future__ import annotations

import base64
import json
import zlib

import pytest

from chalicelib.core.changes import SyncToken, decode_token
from chalicelib.errors import InvalidSyncTokenError

WS, OBJ = "0b0e6a40-1d7e-4a53-9a4f-3f1f1c1c1c1c", "5e5e5e5e-1d7e-4a53-9a4f-3f1f1c1c1c1c"
POSITION = "1796639860065956#3329d9f1-0977-4f5e-9263-9202c58d8791"


@pytest.mark.parametrize(
    "token",
    [
        SyncToken(WS, OBJ, POSITION),
        SyncToken(WS, OBJ, "1796639860065956", listed=""),
        SyncToken(WS, OBJ, "1796639860065956", listed="3329d9f1-0977-4f5e-9263-9202c58d8791"),
    ],
)
def test_a_token_reads_back_as_issued(token):
    text = token.encode()
    assert decode_token(text) == token
    assert text.isascii() and "=" not in text and "+" not in text and "/" not in text


def forged(payload: object, *, crc: bool = True) -> str:
    raw = json.dumps(payload).encode()
    if crc:
        raw += zlib.crc32(raw).to_bytes(4, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@pytest.mark.parametrize(
    "text",
    [
        "",
        "x",
        "not a token",
        "é" * 10,
        "A" * 5000,
        forged([1, WS, OBJ, POSITION, None], crc=False),
        forged([2, WS, OBJ, POSITION, None]),  # a version we do not know
        forged([1, WS, OBJ, 5, None]),
        forged([1, WS, OBJ, POSITION]),
        forged({"v": 1}),
        # a checksum is no signature: a forged last-listed id must still be a record id
        forged([1, WS, OBJ, POSITION, "x" * 1100]),
        forged([1, WS, OBJ, POSITION, "3329D9F1-0977-4F5E-9263-9202C58D8791"]),
    ],
)
def test_anything_we_did_not_issue_is_refused(text):
    with pytest.raises(InvalidSyncTokenError):
        decode_token(text)


def test_a_changed_character_breaks_the_checksum():
    text = SyncToken(WS, OBJ, POSITION).encode()
    for index in range(0, len(text) - 1, 7):
        altered = text[:index] + ("A" if text[index] != "A" else "B") + text[index + 1 :]
        with pytest.raises(InvalidSyncTokenError):
            decode_token(altered)
