"""The export file: JSON Lines, gzip when the name ends in `.gz`, read line by line.

Line 1 is the header, then one line per object (its metadata and its fields), then one line per
record, then a trailer. The trailer (and the header's counts) let a reader tell a complete
file from one cut exactly at a line end; a gzip stream cut anywhere fails on its own.
"""

from __future__ import annotations

import gzip
import json
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from chalicelib.errors import InvalidRequestBodyError
from chalicelib.json_input import decode_json
from chalicelib.settings import SETTINGS

# A record's body may nest as deep as the API accepts; the line wraps it in a few more levels.
LINE_MAX_DEPTH = SETTINGS.max_json_depth + 4

FORMAT = "twenty-crm-workspace"
VERSION = 1

HEADER = "header"
OBJECT = "object"
RECORD = "record"
END = "end"


class TransferError(Exception):
    """Bad input or a refused import step, with the line of the file it is about."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        self.line = line
        super().__init__(f"line {line}: {message}" if line is not None else message)


@dataclass(frozen=True, slots=True)
class Line:
    number: int
    kind: str
    body: dict[str, Any]


def open_text(path: str, mode: str, *, compressed: bool | None = None) -> IO[str]:
    """The file as text, compressed when its name ends in `.gz` (or when told so)."""
    if compressed if compressed is not None else path.endswith(".gz"):
        return gzip.open(path, mode + "t", encoding="utf-8", newline="\n")
    return open(path, mode, encoding="utf-8", newline="\n")


def dump(entry: dict[str, Any]) -> str:
    # Compact separators: the record lines are most of the file.
    return json.dumps(entry, separators=(",", ":"), ensure_ascii=False) + "\n"


def read_lines(stream: IO[str]) -> Iterator[Line]:
    """Every line, parsed; a cut or unreadable file is a TransferError naming the line."""
    number = 0
    while True:
        number += 1
        try:
            text = stream.readline()
        except (EOFError, zlib.error, gzip.BadGzipFile, OSError) as exc:
            raise TransferError(
                f"the file is truncated or corrupt ({exc.__class__.__name__}: {exc})",
                line=number,
            ) from None
        except UnicodeDecodeError:
            raise TransferError("the line is not UTF-8 text", line=number) from None
        if not text:
            return
        if not text.endswith("\n"):
            raise TransferError("the line is cut off: the file is truncated", line=number)
        try:
            # The API's own decoder: a line nested thousands deep (or holding NaN, or an
            # integer of 5,000 digits) is a clear error, never a RecursionError.
            body = decode_json(text, what="line", max_depth=LINE_MAX_DEPTH)
        except InvalidRequestBodyError as exc:
            raise TransferError(f"the line is not JSON ({_reason(exc)})", line=number) from None
        if not isinstance(body, dict) or not isinstance(body.get("kind"), str):
            raise TransferError("the line is not a JSON object with a 'kind'", line=number)
        yield Line(number, body["kind"], body)


def _reason(exc: InvalidRequestBodyError) -> str:
    """The decoder's reason without its prefix and without its position inside the line (a
    "line 1 column 7" would read as a line of the file)."""
    reason = exc.message.removeprefix("Invalid line: ")
    return _POSITION.sub("", reason)


_POSITION = re.compile(r": line \d+ column \d+ \(char \d+\)$")
