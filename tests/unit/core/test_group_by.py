"""groupBy over random records (nulls, empty text, soft-deleted records, composite sub-fields,
unnested multi-selects, date granularities) against an independent grouping."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.core.filters import Condition, Operator
from chalicelib.core.group_by import GroupRecords, group_records
from chalicelib.core.ports import StoredRecord
from chalicelib.errors import InvalidQueryParamError
from chalicelib.metadata.model import FieldType
from tests.builders import make_field, make_many_to_one, make_object, stable_id

DEAL = make_object(
    "deal",
    "deals",
    [
        make_field("name", FieldType.TEXT),
        make_field("employees", FieldType.NUMBER),
        make_field("closeAt", FieldType.DATE_TIME),
        make_field("tags", FieldType.MULTI_SELECT, options=("A", "B")),
        make_field("fullName", FieldType.FULL_NAME),
        make_many_to_one("company", "company"),
    ],
)
COMPANY = stable_id("company", "x")


class Records:
    """The two reads group_records makes of a RecordStore, over records in memory."""

    def __init__(self, records: list[StoredRecord]) -> None:
        self.records = records

    def scan(self, workspace_id, object_id, *, include_deleted, max_items):
        kept = [r for r in self.records if include_deleted or r.deleted_at is None]
        return kept[:max_items], len(kept) <= max_items


def stored(index: int, values: dict[str, Any], deleted: bool) -> StoredRecord:
    deleted_at = "2024-02-01T00:00:00.000Z" if deleted else None
    return StoredRecord(stable_id("deal", str(index)), values, 1, deleted_at)


def run(records, group_by, **kw) -> list[dict[str, Any]]:
    query = GroupRecords(DEAL, group_by, **kw)
    groups = group_records(Records(records), "ws", query, scan_cap=1000)
    return [{"values": g.dimension_values, **g.aggregates} for g in groups]


record_values = st.fixed_dictionaries(
    {
        "name": st.sampled_from(["acme", "Acme", "", None]),
        "employees": st.one_of(st.none(), st.integers(0, 3)),
        "closeAt": st.one_of(
            st.none(),
            st.sampled_from(
                ["2024-01-01T23:30:00.000Z", "2024-01-07T08:00:00.000Z", "2024-04-15T12:00:00.000Z"]
            ),
        ),
        "tags": st.one_of(
            st.none(), st.lists(st.sampled_from(["A", "B"]), max_size=2, unique=True)
        ),
        "fullName": st.fixed_dictionaries(
            {"firstName": st.sampled_from(["Ada", "", None]), "lastName": st.just("")}
        ),
        "companyId": st.sampled_from([None, COMPANY]),
    }
)
worlds = st.lists(st.tuples(record_values, st.booleans()), max_size=14)


def oracle(world, key_of) -> dict[tuple, list[dict]]:
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for values, deleted in world:
        if deleted:
            continue
        for key in key_of(values):
            groups[key].append(values)
    return groups


def empty_is_null(value):
    return None if value in (None, "") else value


@settings(max_examples=50, deadline=None)
@given(worlds)
def test_groups_by_text_and_sub_field_agree_with_an_independent_grouping(world):
    records = [stored(i, v, d) for i, (v, d) in enumerate(world)]
    got = run(
        records, [{"name": True}, {"fullName": {"firstName": True}}], aggregates=("sumEmployees",)
    )
    want = oracle(
        world, lambda v: [(empty_is_null(v["name"]), empty_is_null(v["fullName"]["firstName"]))]
    )
    assert {tuple(g["values"]): g["totalCount"] for g in got} == {
        k: len(v) for k, v in want.items()
    }
    for group in got:
        numbers = [
            r["employees"] for r in want[tuple(group["values"])] if r["employees"] is not None
        ]
        assert group["sumEmployees"] == (sum(numbers) if numbers else None)


@settings(max_examples=50, deadline=None)
@given(worlds)
def test_multi_select_values_are_unnested_and_empty_ones_grouped_as_null(world):
    records = [stored(i, v, d) for i, (v, d) in enumerate(world)]
    got = run(records, [{"tags": True}])
    want = oracle(world, lambda v: [(t,) for t in (v["tags"] or [None])])
    assert {tuple(g["values"]): g["totalCount"] for g in got} == {
        k: len(v) for k, v in want.items()
    }


@settings(max_examples=50, deadline=None)
@given(worlds)
def test_date_granularities_bucket_in_the_given_time_zone(world):
    records = [stored(i, v, d) for i, (v, d) in enumerate(world)]
    # 23:30 UTC on 2024-01-01 is already the 2nd in Paris; weeks start on Monday.
    paris = {
        "2024-01-01T23:30:00.000Z": date(2024, 1, 2),
        "2024-01-07T08:00:00.000Z": date(2024, 1, 7),
        "2024-04-15T12:00:00.000Z": date(2024, 4, 15),
    }
    for granularity, bucket in {
        "DAY": lambda d: d.isoformat(),
        "WEEK": lambda d: date.fromordinal(d.toordinal() - d.weekday()).isoformat(),
        "QUARTER": lambda d: date(d.year, (d.month - 1) // 3 * 3 + 1, 1).isoformat(),
        "DAY_OF_THE_WEEK": lambda d: d.strftime("%A"),
        "QUARTER_OF_THE_YEAR": lambda d: f"Q{(d.month - 1) // 3 + 1}",
    }.items():
        spec = {"closeAt": {"granularity": granularity, "timeZone": "Europe/Paris"}}
        got = run(records, [spec])
        want = oracle(
            world, lambda v, b=bucket: [(b(paris[v["closeAt"]]) if v["closeAt"] else None,)]
        )
        assert {tuple(g["values"]): g["totalCount"] for g in got} == {
            k: len(v) for k, v in want.items()
        }


def test_soft_deleted_records_count_only_when_the_filter_asks_for_them():
    records = [stored(0, {"name": "a"}, False), stored(1, {"name": "a"}, True)]
    assert run(records, [{"name": True}]) == [{"values": ["a"], "totalCount": 1}]
    deleted = Condition(("deletedAt",), Operator.IS, "NOT_NULL")
    assert run(records, [{"name": True}], filter=deleted) == [{"values": ["a"], "totalCount": 1}]


def test_groups_order_by_an_aggregate_then_dimensions_and_are_limited():
    records = [
        stored(i, {"name": n, "employees": e}, False)
        for i, (n, e) in enumerate([("b", 1), ("b", 2), ("a", 5), (None, 1), ("c", 1)])
    ]
    order = [{"aggregate": {"sumEmployees": "DescNullsLast"}}]
    got = run(records, [{"name": True}], order_by=order, aggregates=("sumEmployees",), limit=3)
    assert [g["values"] for g in got] == [["a"], ["b"], [None]]
    by_name = run(records, [{"name": True}], order_by=[{"name": "DescNullsLast"}])
    assert [g["values"] for g in by_name] == [["c"], ["b"], ["a"], [None]]


def test_join_columns_group_and_relations_themselves_are_refused_with_the_column_to_use():
    records = [stored(0, {"companyId": COMPANY}, False), stored(1, {}, False)]
    assert {tuple(g["values"]) for g in run(records, [{"companyId": True}])} == {
        (COMPANY,),
        (None,),
    }
    with pytest.raises(InvalidQueryParamError) as refused:
        run(records, [{"company": True}])
    assert "companyId" in refused.value.message


@pytest.mark.parametrize(
    "group_by",
    [
        [{"nope": True}],
        [{"name": True, "employees": True}],
        [{"fullName": True}],
        [{"closeAt": {"granularity": "DECADE"}}],
        [{"closeAt": {"granularity": "DAY", "timeZone": "Mars/Olympus"}}],
        {"name": True},
    ],
)
def test_bad_group_by_items_are_clear_400s(group_by):
    with pytest.raises(InvalidQueryParamError):
        run([], group_by)


def test_ordering_by_a_field_that_is_not_a_dimension_is_refused():
    with pytest.raises(InvalidQueryParamError) as refused:
        run([], [{"name": True}], order_by=[{"employees": "AscNullsFirst"}])
    assert "groupBy dimension" in refused.value.message


def test_past_the_scan_cap_the_group_by_is_a_400():
    from chalicelib.errors import QueryNeedsIndexError

    records = [stored(i, {"name": "a"}, False) for i in range(5)]
    query = GroupRecords(DEAL, [{"name": True}])
    with pytest.raises(QueryNeedsIndexError):
        group_records(Records(records), "ws", query, scan_cap=3)
