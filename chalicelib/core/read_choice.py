"""Which read of a ONE_TO_MANY relation costs fewer DynamoDB read units, per request.

The children of a page of parents come either through the join column's index (core/child_pages:
a keys-only Query per parent, then a consistent BatchGetItem of the pages) or from one read of
the whole child object (a partition Query, ≤ the scan cap), grouped per parent. DynamoDB bills
read units, not items: a consistent BatchGetItem bills ≥ 1 unit per item and each Query ≥ 0.5,
whereas a partition Query bills the bytes it reads, 4 KB a unit. So a small child object is
cheaper read whole, and a large one (or one whose children are spread over many parents not on
the page) through the index. The live-record counters of the child and parent objects (one
consistent GetItem each, 1 unit, all in one round) give the estimate:

    whole ≈ child_live × AVG_ITEM_BYTES / 4096
    index ≈ 0.5 × parents + parents × min(page, child_live / max(1, parent_live))

and the whole read is taken when it costs no more and fits the scan cap. Both paths answer the
same; only the bill and the requests differ.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from chalicelib.core.ports import RecordStore

# A record item's typical size as stored (its body, keys and bookkeeping attributes). CRM records
# of the standard objects weigh a few hundred bytes to ~2 KB; 1 KB keeps the estimate honest for
# both. Tests set it to 0 (whole read always cheaper) or huge (index always cheaper).
AVG_ITEM_BYTES = 1024
_UNIT_BYTES = 4096  # what one strongly consistent read unit covers of a Query's items
_KEYS_QUERY_UNITS = 0.5  # a keys-only Query of a few small index items, eventually consistent
_ITEM_UNITS = 1.0  # a consistent BatchGetItem rounds each item up to one unit


def whole_read_units(child_live: int) -> float:
    """Units of one strongly consistent read of the whole child object."""
    return child_live * AVG_ITEM_BYTES / _UNIT_BYTES


def index_walk_units(parents: int, page: int, child_live: int, parent_live: int) -> float:
    """Units of the index walk: a keys Query per parent, then one unit per child read."""
    expected_children = parents * min(page, child_live / max(1, parent_live))
    return _KEYS_QUERY_UNITS * parents + _ITEM_UNITS * expected_children


def read_whole(parents: int, page: int, child_live: int, parent_live: int, cap: int) -> bool:
    """Whether one read of the child object costs no more than the index walk, and fits `cap`."""
    if child_live > cap:
        return False
    return whole_read_units(child_live) <= index_walk_units(parents, page, child_live, parent_live)


def live_counts(
    store: RecordStore,
    workspace_id: str,
    object_ids: Sequence[str],
    alongside: Sequence[Callable[[], Any]] = (),
) -> dict[str, int]:
    """Each object's live-record counter (one BatchGetItem for all), read in one round
    together with `alongside` calls."""
    from chalicelib.core.child_pages import together

    wanted = list(dict.fromkeys(object_ids))
    counted, *_ = together([lambda: store.count_live_many(workspace_id, wanted), *alongside])
    return counted
