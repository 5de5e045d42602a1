"""Reading an export file line by line: every kind of damage is named by its line."""

from __future__ import annotations

import gzip
import io

import pytest

from chalicelib.transfer.fileformat import TransferError, dump, open_text, read_lines


def test_lines_are_parsed_with_their_numbers_and_kinds():
    text = dump({"kind": "header"}) + dump({"kind": "record", "data": {"é": 1}})
    lines = list(read_lines(io.StringIO(text)))
    assert [(line.number, line.kind) for line in lines] == [(1, "header"), (2, "record")]
    assert lines[1].body["data"] == {"é": 1}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"kind":"header"}\n{"kind": "rec', "line 2: the line is cut off"),
        ('{"kind":"header"}\n{oops}\n', "line 2: the line is not JSON"),
        ('{"kind":"header"}\n[1, 2]\n', "line 2: the line is not a JSON object with a 'kind'"),
        ('{"kind":"header"}\n{"data": 1}\n', "line 2: the line is not a JSON object with a 'kind'"),
        # hostile lines: deep nesting, NaN, an integer past Python's digit cap
        ('{"kind":"header"}\n' + "[" * 100_000 + "\n", "line 2: the line is not JSON"),
        ('{"kind":"record","v":NaN}\n', "line 1: the line is not JSON"),
        ('{"kind":"record","v":' + "9" * 5000 + "}\n", "line 1: the line is not JSON"),
    ],
)
def test_a_damaged_line_is_an_error_naming_it(text, message):
    with pytest.raises(TransferError, match=message):
        list(read_lines(io.StringIO(text)))


def test_a_gzip_stream_cut_short_is_an_error_naming_the_line_it_stopped_at(tmp_path):
    path = tmp_path / "cut.jsonl.gz"
    data = gzip.compress("".join(dump({"kind": "record", "n": n}) for n in range(2000)).encode())
    path.write_bytes(data[: len(data) // 2])
    with open_text(str(path), "r") as stream, pytest.raises(TransferError) as caught:
        list(read_lines(stream))
    assert caught.value.line is not None and caught.value.line > 1
    assert "truncated" in str(caught.value) or "cut off" in str(caught.value)


def test_a_gzip_file_of_several_members_reads_as_one_stream(tmp_path):
    path = tmp_path / "multi.jsonl.gz"
    path.write_bytes(
        gzip.compress(dump({"kind": "a"}).encode()) + gzip.compress(dump({"kind": "b"}).encode())
    )
    with open_text(str(path), "r") as stream:
        assert [line.kind for line in read_lines(stream)] == ["a", "b"]
