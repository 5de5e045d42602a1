"""Cursor windows over in-memory metadata lists."""

from __future__ import annotations

import pytest

from chalicelib.errors import BadRequestError
from chalicelib.metadata.paging import slice_items

ITEMS = ["a", "b", "c", "d", "e"]


def window(**kw):
    result = slice_items(ITEMS, lambda item: item, **kw)
    return result.items, result.has_previous, result.has_next


def test_first_n_from_the_start_and_after_a_cursor():
    assert window(first=2) == (["a", "b"], False, True)
    assert window(first=2, after="b") == (["c", "d"], True, True)
    assert window(first=9, after="c") == (["d", "e"], True, False)


def test_last_n_before_a_cursor():
    assert window(last=2, before="d") == (["b", "c"], True, True)
    assert window(last=2) == (["d", "e"], True, False)


def test_an_unknown_cursor_is_a_bad_request():
    with pytest.raises(BadRequestError, match="'after' cursor 'z'"):
        window(first=1, after="z")
