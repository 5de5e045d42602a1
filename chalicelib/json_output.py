"""The one encoder of answers: the text of `json.dumps(value, separators=(",", ":"))`, by orjson.

A REST page of 60 records is ~50 KB of JSON, and it is serialized twice: once to fit the page
to the response limit (core/budget.py), once to send it. The standard encoder takes ~0.5 ms
for such a page here, orjson a tenth of that: the page's CPU went from 6.0 to 4.6 ms, and REST
`depth=1` on 60 companies (660 records, each nested list fitted too) from 55 to 35 ms
(docs/performance.md, "Sixth session").

The text is the standard encoder's. orjson's is used as it is when it is ASCII without DEL:
orjson escapes `"`, `\\` and the control characters as `json.dumps` does, and in an ASCII body a
character is a byte of the Lambda response (core/budget.py counts them so). An answer holding
any other character is written by `json.dumps`, whose C encoder escapes it as
`\\uXXXX`: escaping orjson's UTF-8 in Python took 30 to 75 times `json.dumps`'s time for a page
of accented or CJK names. Such an answer costs one orjson pass more than before, no more. In an
ASCII answer, what differs is spelling only, never a value:

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
from typing import Any

import orjson

_COMPACT = (",", ":")
# Passed through: orjson would serialize these where `json.dumps` raises TypeError.
_AS_JSON_DUMPS = orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME


def dumps(value: Any) -> str:
    """`json.dumps(value, separators=(",", ":"))`, faster (see the module's docstring)."""
    try:
        raw = orjson.dumps(value, option=_AS_JSON_DUMPS)
    except orjson.JSONEncodeError:
        return json.dumps(value, separators=_COMPACT)
    # DEL is ASCII, but json.dumps escapes it.
    if raw.isascii() and b"\x7f" not in raw:
        return raw.decode("ascii")
    return json.dumps(value, separators=_COMPACT)
