"""The one encoder of answers: the text of `json.dumps(value, separators=(",", ":"))`, by orjson.

A REST page of 60 records is ~50 KB of JSON, and it is serialized twice: once to fit the page
to the response limit (core/budget.py), once to send it. The standard encoder takes ~0.5 ms
for such a page here, orjson a tenth of that: the page's CPU went from 6.0 to 4.6 ms, and REST
`depth=1` on 60 companies (660 records, each nested list fitted too) from 55 to 35 ms
(docs/performance.md, "Sixth session").

The text is made the standard encoder's: ASCII, with every other character (and DEL) escaped
as `\\uXXXX`, surrogate pairs beyond the BMP, so that a character of the body is a byte of the
Lambda response (core/budget.py counts them so). orjson escapes `"`, `\\` and the control
characters as `json.dumps` does. What differs is spelling only, never a value:

- a float with a small exponent is written out (2.5e-05 as 0.000025) or with a shorter one
  (1e-07 as 1e-7): the same number to any JSON reader;
- NaN and ±Infinity would be `null` where `json.dumps` writes `NaN`, which is not JSON (no
  input can carry them: json_input.py refuses them);
- a UUID or a non-string Enum would be written (as its text, its value) where `json.dumps`
  raises TypeError: answers hold neither (records are presented as plain JSON values).

Whatever orjson refuses goes to `json.dumps`, whose text (or error) stands: integers past 64
bits (a NUMBER may hold 38 digits), keys that are not strings, lone surrogates, nesting past
orjson's 255 levels, and objects neither knows (dataclasses and datetimes are passed through
to that refusal rather than serialized, as `json.dumps` would refuse them).
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

_COMPACT = (",", ":")
# Passed through: orjson would serialize these where `json.dumps` raises TypeError.
_AS_JSON_DUMPS = orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME
# What `json.dumps` escapes and orjson writes as is: DEL and every character past ASCII. Written
# as a negated class: the range "\x7f-\U0010ffff" takes re ~6 ms to compile, at import.
_UNESCAPED = re.compile("[^\x00-\x7e]")


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000  # a UTF-16 surrogate pair, as json.dumps writes it
    return f"\\u{0xD800 | code >> 10:04x}\\u{0xDC00 | code & 0x3FF:04x}"


def dumps(value: Any) -> str:
    """`json.dumps(value, separators=(",", ":"))`, faster (see the module's docstring)."""
    try:
        text = orjson.dumps(value, option=_AS_JSON_DUMPS).decode("utf-8")
    except orjson.JSONEncodeError:
        return json.dumps(value, separators=_COMPACT)
    if text.isascii() and "\x7f" not in text:
        return text
    return _UNESCAPED.sub(_escaped, text)
