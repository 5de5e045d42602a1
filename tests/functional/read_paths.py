"""Force the nested ONE_TO_MANY read a request takes (core/read_choice.py), to test each."""

from __future__ import annotations

import pytest

# "whole": one read of the child object always costs less; "index": never (the join-column
# index walk), whatever the counters say.
PATHS = ("whole", "index")


def force_read_path(monkeypatch: pytest.MonkeyPatch, path: str) -> None:
    from chalicelib.core import read_choice

    monkeypatch.setattr(read_choice, "AVG_ITEM_BYTES", 0 if path == "whole" else 10**9)
