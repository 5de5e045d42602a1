"""Aggregate fields: which fields get which aggregates, and their values against an independent
computation over random records (nulls, empty text, composites) written without chalicelib."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.core.aggregates import aggregate_records, available_aggregates, resolve_aggregates
from chalicelib.core.presentation import present_record
from chalicelib.errors import InvalidQueryParamError
from chalicelib.metadata.model import FieldType
from tests.builders import make_field, make_many_to_one, make_object, stable_id

DEAL = make_object(
    "deal",
    "deals",
    [
        make_field("name", FieldType.TEXT),
        make_field("employees", FieldType.NUMBER),
        make_field("active", FieldType.BOOLEAN),
        make_field("closeAt", FieldType.DATE_TIME),
        make_field("signedOn", FieldType.DATE),
        make_field("tags", FieldType.MULTI_SELECT, options=("A", "B")),
        make_field("amount", FieldType.CURRENCY),
        make_field("fullName", FieldType.FULL_NAME),
        make_many_to_one("company", "company"),
    ],
)


def test_each_field_type_gets_the_aggregates_twenty_generates():
    names = set(available_aggregates(DEAL))
    assert {"totalCount", "countUniqueValuesName", "countEmptyName", "countNotEmptyName"} <= names
    assert {"percentageEmptyName", "percentageNotEmptyName"} <= names
    assert {"minEmployees", "maxEmployees", "avgEmployees", "sumEmployees"} <= names
    assert {"countTrueActive", "countFalseActive", "minCloseAt", "maxSignedOn"} <= names
    assert {"minAmountAmountMicros", "sumAmountAmountMicros", "avgAmountAmountMicros"} <= names
    assert {"countEmptyFullName", "countEmptyId", "minCreatedAt"} <= names
    # Relations have none; text has no min/max; currency has no plain minAmount.
    assert not {n for n in names if "Company" in n}
    assert "minName" not in names and "minAmount" not in names and "sumActive" not in names


def test_an_unknown_aggregate_is_a_clear_400():
    with pytest.raises(InvalidQueryParamError) as refused:
        resolve_aggregates(DEAL, ["sumName"])
    assert "Unknown aggregate 'sumName'" in refused.value.message


def test_every_aggregate_of_no_records_is_null_except_total_count():
    every = resolve_aggregates(DEAL, available_aggregates(DEAL))
    results = aggregate_records(every, [])
    assert results.pop("totalCount") == 0
    assert set(results.values()) == {None}


# -- the independent computation ---------------------------------------------------------------

TEXTS = st.sampled_from(["acme", "Acme", "", None, "beta"])
COMPOSITE_SUBS = {"amount": ("amountMicros", "currencyCode"), "fullName": ("firstName", "lastName")}


def blank(value: Any) -> bool:
    return value is None or value == ""


def column(record: dict[str, Any], field: str) -> Any:
    """What Postgres' NULLIF(CONCAT(columns), '') sees, or None when empty."""
    if field in COMPOSITE_SUBS:
        parts = tuple(record[field][sub] for sub in COMPOSITE_SUBS[field])
        return (
            None if all(blank(p) for p in parts) else tuple("" if p is None else p for p in parts)
        )
    value = record[field]
    if isinstance(value, list):
        return tuple(value)
    return None if blank(value) else value


def expected(records: list[dict[str, Any]], field: str, operation: str) -> Any:
    count = len(records)
    values = [column(r, field) for r in records]
    present = [v for v in values if v is not None]
    counts = {
        "countEmpty": count - len(present),
        "countNotEmpty": len(present),
        "countUniqueValues": len(set(present)),
        "percentageEmpty": (count - len(present)) / count if count else None,
        "percentageNotEmpty": len(present) / count if count else None,
    }
    return counts[operation] if count else None


def numbers(records: list[dict[str, Any]], read) -> list[Any]:
    return [v for v in map(read, records) if v is not None]


record_values = st.fixed_dictionaries(
    {
        "name": TEXTS,
        "employees": st.one_of(st.none(), st.integers(-5, 50)),
        "active": st.one_of(st.none(), st.booleans()),
        "closeAt": st.one_of(
            st.none(), st.sampled_from(["2024-01-02T10:00:00.000Z", "2023-05-06T00:00:00.000Z"])
        ),
        "tags": st.one_of(st.none(), st.lists(st.sampled_from(["A", "B"]), max_size=2)),
        "amount": st.fixed_dictionaries(
            {
                "amountMicros": st.one_of(st.none(), st.integers(0, 9)),
                "currencyCode": st.sampled_from(["", "EUR"]),
            }
        ),
        "fullName": st.fixed_dictionaries(
            {"firstName": TEXTS, "lastName": st.sampled_from(["", "Lo"])}
        ),
    }
)


@settings(max_examples=60, deadline=None)
@given(st.lists(record_values, max_size=12))
def test_aggregates_agree_with_an_independent_computation(values):
    records = [
        present_record(DEAL, {"id": stable_id("deal", str(i)), **v}) for i, v in enumerate(values)
    ]
    every = resolve_aggregates(DEAL, available_aggregates(DEAL))
    got = aggregate_records(every, records)
    assert got["totalCount"] == len(records)
    for field in ("name", "employees", "active", "closeAt", "tags", "amount", "fullName"):
        suffix = field[0].upper() + field[1:]
        for operation in (
            "countEmpty",
            "countNotEmpty",
            "countUniqueValues",
            "percentageEmpty",
            "percentageNotEmpty",
        ):
            assert got[operation + suffix] == expected(records, field, operation), (
                operation,
                field,
            )
    employees = numbers(records, lambda r: r["employees"])
    assert got["sumEmployees"] == (sum(employees) if employees else None)
    assert got["minEmployees"] == (min(employees) if employees else None)
    assert got["maxEmployees"] == (max(employees) if employees else None)
    assert got["avgEmployees"] == (
        pytest.approx(sum(employees) / len(employees)) if employees else None
    )
    micros = numbers(records, lambda r: r["amount"]["amountMicros"])
    assert got["sumAmountAmountMicros"] == (sum(micros) if micros else None)
    assert got["maxAmountAmountMicros"] == (max(micros) if micros else None)
    dates = numbers(records, lambda r: r["closeAt"])
    assert got["minCloseAt"] == (min(dates) if dates else None)
    flags = [r["active"] for r in records]
    assert got["countTrueActive"] == (flags.count(True) if records else None)
    assert got["countFalseActive"] == (flags.count(False) if records else None)


def test_the_aggregates_of_a_definition_are_built_once_and_read_only() -> None:
    first = available_aggregates(DEAL)
    assert available_aggregates(DEAL) is first
    with pytest.raises(TypeError):
        first["totalCount"] = first["totalCount"]  # type: ignore[index]
