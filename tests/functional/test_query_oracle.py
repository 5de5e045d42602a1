"""Property test: random filters and sorts through the REST API against moto, compared page by
page with a plain, independent in-memory evaluation of Twenty's semantics (the oracle)."""

from __future__ import annotations

import random
import re
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support import RestClient, make_tenant

NAMES = ["acme", "Acme", "ACME labs", "beta", "Beta", "gamma, inc", "delta (eu)", "", None]
CITIES = ["Paris", "paris", "Berlin", "", None]
TEXT_VALUES = ["acme", "Acme", "beta", "Paris", "paris", "gamma, inc", "delta (eu)", ""]

# (REST path, kind) of the fields the generated queries use.
FIELDS = {
    "name": "text",
    "address.addressCity": "text",
    "employees": "number",
    "idealCustomerProfile": "boolean",
}


def read(record, path):
    value = record
    for part in path.split("."):
        value = None if value is None else value.get(part)
    return value


# -- the oracle: SQL three-valued logic, written independently of chalicelib ------------------


def like(value, pattern, fold):
    regex = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    if fold:
        return re.fullmatch(regex, value.casefold(), re.S | re.I) is not None
    return re.fullmatch(regex, value, re.S) is not None


def text_order(value):
    return (value.casefold(), value)


def compare(kind, value, op, operand):
    if op == "is":
        return (value is None) == (operand == "NULL")
    if value is None:
        return None
    if op == "eq":
        return value == operand
    if op == "neq":
        return value != operand
    if op == "in":
        return value in operand
    if op in ("like", "ilike"):
        return like(value, operand, op == "ilike")
    if op == "startsWith":
        return value.startswith(operand)
    left, right = (text_order(value), text_order(operand)) if kind == "text" else (value, operand)
    return {"gt": left > right, "gte": left >= right, "lt": left < right, "lte": left <= right}[op]


def evaluate(node, record):
    kind = node[0]
    if kind == "cond":
        _, path, op, operand = node
        return compare(FIELDS[path], read(record, path), op, operand)
    if kind == "not":
        inner = evaluate(node[1], record)
        return None if inner is None else not inner
    results = [evaluate(child, record) for child in node[1]]
    if kind == "and":
        return False if False in results else (None if None in results else True)
    return True if True in results else (None if None in results else False)


def oracle_order(records, path, direction):
    def key(record):
        value = read(record, path)
        if value is None:
            null_rank = 0 if direction.endswith("NullsFirst") else 2
            return (null_rank, None)
        return (1, text_order(value) if FIELDS[path] == "text" else value)

    # Ties are broken by id in the direction of the sort (see validate_sort).
    descending = direction.startswith("Desc")
    present = [r for r in records if read(r, path) is not None]
    nulls = [r for r in records if read(r, path) is None]
    present.sort(key=lambda r: r["id"], reverse=descending)
    present.sort(key=key, reverse=descending)
    nulls.sort(key=lambda r: r["id"], reverse=descending)
    return nulls + present if direction.endswith("NullsFirst") else present + nulls


# -- generators and the REST rendering -------------------------------------------------------

OPS = {
    "text": ["eq", "neq", "in", "is", "gt", "gte", "lt", "lte", "like", "ilike", "startsWith"],
    "number": ["eq", "neq", "in", "is", "gt", "gte", "lt", "lte"],
    "boolean": ["eq", "is"],
}


@st.composite
def conditions(draw):
    path = draw(st.sampled_from(sorted(FIELDS)))
    kind = FIELDS[path]
    op = draw(st.sampled_from(OPS[kind]))
    if op == "is":
        return ("cond", path, op, draw(st.sampled_from(["NULL", "NOT_NULL"])))
    scalar = {
        "text": st.sampled_from(TEXT_VALUES),
        "number": st.integers(-5, 400),
        "boolean": st.booleans(),
    }[kind]
    if op == "in":
        return ("cond", path, op, draw(st.lists(scalar, min_size=1, max_size=3)))
    if op in ("like", "ilike"):
        pattern = draw(st.sampled_from(["%a%", "ac%", "%E", "_eta", "%", "p%s", "%(eu)"]))
        return ("cond", path, op, pattern)
    if op == "startsWith":
        return ("cond", path, op, draw(st.sampled_from(["a", "A", "Be", "gam", ""])))
    return ("cond", path, op, draw(scalar))


filters = st.recursive(
    conditions(),
    lambda inner: st.one_of(
        st.tuples(st.just("and"), st.lists(inner, min_size=1, max_size=3)),
        st.tuples(st.just("or"), st.lists(inner, min_size=1, max_size=3)),
        st.tuples(st.just("not"), inner),
    ),
    max_leaves=5,
)


def render_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return f'"{value}"'


def render(node):
    kind = node[0]
    if kind == "cond":
        _, path, op, operand = node
        if op == "is":
            return f"{path}[is]:{operand}"
        if op == "in":
            return f"{path}[in]:[{','.join(render_value(v) for v in operand)}]"
        return f"{path}[{op}]:{render_value(operand)}"
    if kind == "not":
        return f"not({render(node[1])})"
    return f"{kind}({','.join(render(child) for child in node[1])})"


# -- the test --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dataset():
    from chalice.test import Client
    from moto import mock_aws

    from app import app
    from chalicelib.metadata import registry
    from chalicelib.storage.schema import ensure_tables

    generator = random.Random(7)
    rows = [
        {
            "name": generator.choice(NAMES),
            "employees": generator.choice([None, 0, 5, 50, 120, 300, 50]),
            "idealCustomerProfile": generator.choice([True, False]),
            "address": {"addressCity": generator.choice(CITIES)},
        }
        for _ in range(45)
    ]
    with mock_aws():
        ensure_tables()
        registry.clear_cache()
        with Client(app) as client:
            rest = RestClient(client.http, make_tenant("Oracle"))
            for start in range(0, len(rows), 20):
                status, body = rest.post("/rest/batch/companies", rows[start : start + 20])
                assert status == 201, body
            _, listed = rest.get("/rest/companies?limit=200")
            yield rest, listed["data"]["companies"]


@settings(
    max_examples=45,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    tree=filters,
    sort_path=st.sampled_from([None, *sorted(FIELDS)]),
    direction=st.sampled_from(["AscNullsFirst", "AscNullsLast", "DescNullsFirst", "DescNullsLast"]),
    limit=st.integers(1, 17),
)
def test_every_page_matches_the_oracle(dataset, tree, sort_path, direction, limit):
    rest, records = dataset
    matching = [r for r in records if evaluate(tree, r) is True]
    base = f"/rest/companies?limit={limit}&filter={quote(render(tree), safe='')}"
    if sort_path is None:  # the default order: by id
        expected = sorted(matching, key=lambda r: r["id"])
    else:
        expected = oracle_order(matching, sort_path, direction)
        base += f"&order_by={quote(f'{sort_path}[{direction}]', safe='')}"
    seen, cursor, pages = [], None, 0
    # Bounded: a paging bug must fail the test, not loop forever.
    while pages <= len(expected) // limit + 1:
        status, body = rest.get(base + (f"&starting_after={cursor}" if cursor else ""))
        assert status == 200, (render(tree), body)
        page = [r["id"] for r in body["data"]["companies"]]
        assert body["totalCount"] == len(expected)
        assert len(page) == min(limit, len(expected) - len(seen)), "pages must be full"
        assert body["pageInfo"]["hasPreviousPage"] is (pages > 0)
        seen += page
        pages += 1
        if not body["pageInfo"]["hasNextPage"]:
            break
        cursor = body["pageInfo"]["endCursor"]
    assert seen == [r["id"] for r in expected], render(tree)
