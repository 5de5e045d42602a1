"""Force the nested ONE_TO_MANY read a request takes (core/read_choice.py), to test each."""

from __future__ import annotations

import pytest

# "whole": one read of the child object always costs less; "index": never (the join-column
# index walk), whatever the counters say.
PATHS = ("whole", "index")
# The index walk's first round (core/child_pages.py) as the estimate chooses it ("index"), with
# every parent walked alone, or with spans whose Limit stops them after two keys.
INDEX_WALKS = ("index alone", "index cut short")
ALL_PATHS = (*PATHS, *INDEX_WALKS)


def force_read_path(monkeypatch: pytest.MonkeyPatch, path: str) -> None:
    from chalicelib.core import child_pages, read_choice

    monkeypatch.setattr(read_choice, "AVG_ITEM_BYTES", 0 if path == "whole" else 10**9)
    if path == "index alone":
        monkeypatch.setattr(child_pages, "_span_limit", lambda *args: 0)
    elif path == "index cut short":
        monkeypatch.setattr(
            child_pages, "_span_limit", lambda parents, *args: 2 * (len(parents) > 1)
        )
