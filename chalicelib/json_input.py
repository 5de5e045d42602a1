"""The one JSON decoder for client input (REST bodies, GraphQL bodies and variables, cursors).

`json.loads` alone lets four kinds of hostile input through to a 500: bytes that are not UTF-8
(or other encodings it guesses), escaped lone surrogates (``"\\ud800"``) that decode to a `str`
nothing downstream can encode, nesting deep enough to exhaust the C decoder's recursion (and
every recursive walk after it), and ``NaN`` / ``Infinity`` / ``1e400``, which are not JSON and
which no client can read back. Each is refused here with a `BadRequestError` naming the problem.

The depth is measured before decoding and without recursion: strings are cut out with one
regular expression, and the depth is the maximum of a running sum over the brackets left,
computed by C iterators. A 100,000-deep document costs a few milliseconds and no stack.
"""

from __future__ import annotations

import json
import math
import re
from itertools import accumulate, count
from operator import sub
from typing import Any

from chalicelib.errors import BadRequestError, InvalidRequestBodyError
from chalicelib.settings import SETTINGS

# A JSON string, escapes included (the "unrolled loop" form: linear, no backtracking).
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
# Opening brackets count 2 and closing ones 0, so "running sum - position" is the depth.
_BRACKET_WEIGHTS = str.maketrans({"[": "\x02", "{": "\x02", "]": "\x00", "}": "\x00"})
# Only an escape can put a surrogate into decoded text (valid UTF-8 never holds one).
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_UTF8_BOM = "\ufeff"
_PATH_SHOWN_CHARS = 120


def decode_json(
    raw: bytes | str,
    *,
    what: str = "JSON body",
    error: type[BadRequestError] = InvalidRequestBodyError,
    max_depth: int | None = None,
) -> Any:
    """The value of a JSON document, or `error` ("Invalid <what>: ...") for any bad input."""
    limit = SETTINGS.max_json_depth if max_depth is None else max_depth
    text = _text(raw, what, error)
    depth = nesting_depth(text)
    if depth > limit:
        raise error(f"Invalid {what}: nested deeper than {limit} levels")
    try:
        value = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except (_NotJson, json.JSONDecodeError) as exc:
        raise error(f"Invalid {what}: {exc}") from None
    except ValueError:  # Python's cap on digits of an integer literal (4,300)
        raise error(f"Invalid {what}: an integer literal has too many digits") from None
    except RecursionError:  # only with a max_depth far above the default
        raise error(f"Invalid {what}: nested too deeply") from None
    if _SURROGATE_ESCAPE.search(text):
        _refuse_surrogates(value, what, error)
    return value


def nesting_depth(text: str) -> int:
    """How deeply arrays and objects nest in a JSON text (0 for a scalar), without recursion.

    Text that is not JSON gets some number; json.loads refuses it afterwards anyway.
    """
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    if not brackets:
        return 0
    weights = brackets.translate(_BRACKET_WEIGHTS).encode()
    return max(0, max(map(sub, accumulate(weights), count(1))))


class _NotJson(ValueError):
    """A value Python's json accepts but JSON does not (raised from the decoder's hooks)."""


def _text(raw: bytes | str, what: str, error: type[BadRequestError]) -> str:
    if isinstance(raw, str):
        text = raw
    else:
        try:
            # Strict UTF-8 (RFC 8259 §8.1): json.loads would also guess UTF-16 and UTF-32.
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise error(
                f"Invalid {what}: not valid UTF-8 (byte {exc.start}: {exc.reason})"
            ) from None
    # Tolerated as json.loads(bytes) always did.
    return text[1:] if text.startswith(_UTF8_BOM) else text


def _refuse_constant(name: str) -> Any:
    raise _NotJson(f"{name} is not a JSON value")


def _finite_float(literal: str) -> float:
    number = float(literal)
    if not math.isfinite(number):
        raise _NotJson(f"number {literal[:40]} is out of range")
    return number


def _refuse_surrogates(value: Any, what: str, error: type[BadRequestError]) -> None:
    """Walk the decoded value with an explicit stack (no recursion) looking for surrogates."""
    pending: list[tuple[Any, str]] = [(value, "")]
    while pending:
        item, path = pending.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                raise error(_surrogate_message(what, path))
        elif isinstance(item, dict):
            for key, child in item.items():
                child_path = f"{path}.{key}" if path else str(key)
                if _SURROGATE.search(key):
                    raise error(_surrogate_message(what, path, in_key=True))
                pending.append((child, child_path))
        elif isinstance(item, list):
            pending.extend((child, f"{path}[{i}]") for i, child in enumerate(item))


def _surrogate_message(what: str, path: str, *, in_key: bool = False) -> str:
    # The path is shown only if it is short and clean itself (never echo a surrogate).
    place = "a key" if in_key else "a string"
    shown = path if len(path) <= _PATH_SHOWN_CHARS else path[: _PATH_SHOWN_CHARS - 3] + "..."
    where = f" at '{shown}'" if path and not _SURROGATE.search(path) else ""
    return (
        f"Invalid {what}: {place}{where} holds a lone UTF-16 surrogate (\\ud800-\\udfff escape "
        "without its pair), which is not valid Unicode"
    )
