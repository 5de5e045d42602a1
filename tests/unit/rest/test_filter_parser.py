"""Twenty's REST `filter` grammar parsed into the raw filter model."""

from __future__ import annotations

import contextlib
import re

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from chalicelib.core.filters import And, Condition, Filter, Not, Operator, Or
from chalicelib.errors import InvalidQueryParamError
from chalicelib.rest.filter_parser import MAX_NESTING, parse_filter

UUID_A = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
UUID_B = "9b2c1d7e-2a4f-4c1e-8d3b-5f6a7b8c9d0e"
LIST_OPERATORS = (Operator.IN, Operator.CONTAINS_ANY)
SCALAR_OPERATORS = [op for op in Operator if op not in (*LIST_OPERATORS, Operator.IS)]
ALLOWED = "eq, neq, in, containsAny, is, gt, gte, lt, lte, startsWith, endsWith, like, ilike"


def cond(path: str, operator: str, value: object) -> Condition:
    return Condition(tuple(path.split(".")), Operator(operator), value)


def parses_to_one(text: str) -> Condition:
    tree = parse_filter(text)
    assert isinstance(tree, And) and len(tree.children) == 1
    return tree.children[0]


def rejects(text: str) -> str:
    with pytest.raises(InvalidQueryParamError) as caught:
        parse_filter(text)
    return caught.value.message


# --- the reference's examples ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('createdAt[gte]:"2024-01-01"', And((cond("createdAt", "gte", "2024-01-01"),))),
        (
            "or(stage[eq]:NEW,amount.amountMicros[gt]:1000000)",
            Or((cond("stage", "eq", "NEW"), cond("amount.amountMicros", "gt", "1000000"))),
        ),
        ("id[in]:[uuid1,uuid2]", And((cond("id", "in", ["uuid1", "uuid2"]),))),
        ("deletedAt[is]:NOT_NULL", And((cond("deletedAt", "is", "NOT_NULL"),))),
        ("idealCustomerProfile[eq]:true", And((cond("idealCustomerProfile", "eq", "true"),))),
        ('name[ilike]:"%acme%"', And((cond("name", "ilike", "%acme%"),))),
        (
            "and(name.firstName[startsWith]:A,not(city[is]:NULL))",
            And((cond("name.firstName", "startsWith", "A"), Not(cond("city", "is", "NULL")))),
        ),
    ],
)
def test_the_reference_examples_parse_as_documented(text: str, expected: Filter) -> None:
    assert parse_filter(text) == expected


# --- operators, paths and values ------------------------------------------------------------


@pytest.mark.parametrize("operator", SCALAR_OPERATORS)
def test_every_scalar_comparator_keeps_its_value_as_a_string(operator: Operator) -> None:
    assert parses_to_one(f"score[{operator.value}]:42") == Condition(("score",), operator, "42")


@pytest.mark.parametrize("operator", ["in", "containsAny"])
def test_list_comparators_take_a_bracketed_list(operator: str) -> None:
    assert parses_to_one(f"tags[{operator}]:[a,b,c]") == cond("tags", operator, ["a", "b", "c"])


@pytest.mark.parametrize("value", ["NULL", "NOT_NULL"])
def test_is_accepts_null_and_not_null(value: str) -> None:
    assert parses_to_one(f"city[is]:{value}") == cond("city", "is", value)


def test_dotted_paths_name_composite_sub_fields() -> None:
    assert parses_to_one("emails.primaryEmail[eq]:a@b.c").path == ("emails", "primaryEmail")


def test_three_segment_paths_are_kept_whole() -> None:
    assert parses_to_one("a.b_2.C3[eq]:x").path == ("a", "b_2", "C3")


def test_relations_are_filtered_on_their_join_column() -> None:
    assert parses_to_one(f"companyId[eq]:{UUID_A}") == cond("companyId", "eq", UUID_A)


def test_a_list_of_join_column_ids_keeps_every_uuid() -> None:
    assert parses_to_one(f"companyId[in]:[{UUID_A}, {UUID_B}]").value == [UUID_A, UUID_B]


def test_values_are_never_coerced() -> None:
    assert parses_to_one("amount[gt]:1e3").value == "1e3"
    assert parses_to_one("active[eq]:false").value == "false"


def test_a_value_may_contain_colons() -> None:
    assert parses_to_one("createdAt[lt]:2024-01-01T10:00:00Z").value == "2024-01-01T10:00:00Z"


def test_a_non_list_comparator_keeps_brackets_literally() -> None:
    assert parses_to_one("name[eq]:[a,b]").value == "[a,b]"


def test_a_bare_value_may_contain_balanced_parentheses() -> None:
    assert parses_to_one("name[eq]:Acme (EU)").value == "Acme (EU)"


def test_an_apostrophe_inside_a_bare_value_is_not_a_quote() -> None:
    tree = parse_filter("name[eq]:O'Brien,city[eq]:Paris")
    assert tree == And((cond("name", "eq", "O'Brien"), cond("city", "eq", "Paris")))


def test_a_field_named_like_a_conjunction_is_a_plain_condition() -> None:
    assert parses_to_one("and[eq]:1") == cond("and", "eq", "1")


# --- quoting ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('name[eq]:"a,b"', "a,b"),
        ("name[eq]:'a,b'", "a,b"),
        ('name[eq]:"x)y"', "x)y"),
        ('name[eq]:"(z"', "(z"),
        ("name[eq]:'[z'", "[z"),
        ('name[eq]:"a]b"', "a]b"),
        ('name[eq]:"it\'s"', "it's"),
        ("name[eq]:'say \"hi\"'", 'say "hi"'),
        ('name[eq]:""', ""),
        ('name[eq]:"  padded  "', "  padded  "),
        ('name[eq]:"a"b', '"a"b'),
    ],
)
def test_quoted_values_are_unquoted_and_protect_their_content(text: str, value: str) -> None:
    assert parses_to_one(text).value == value


def test_commas_and_parentheses_inside_quotes_do_not_split_a_group() -> None:
    tree = parse_filter('or(name[eq]:"a,(b",city[eq]:\'c),d\',not(x[eq]:"]"))')
    assert tree == Or(
        (cond("name", "eq", "a,(b"), cond("city", "eq", "c),d"), Not(cond("x", "eq", "]")))
    )


def test_quoted_list_elements_may_contain_commas_and_brackets() -> None:
    value = parses_to_one("""name[in]:["a,b", 'c]', d ,"",'e"f']""").value
    assert value == ["a,b", "c]", "d", "", 'e"f']


def test_an_empty_list_is_allowed() -> None:
    assert parses_to_one("id[in]:[]").value == []
    assert parses_to_one("id[containsAny]:[  ]").value == []


def test_whitespace_around_items_and_values_is_ignored() -> None:
    tree = parse_filter("  or( a[eq]: x , b[in]:[ 1 , 2 ] ,not( c[is]:NULL ) )  ")
    assert tree == Or(
        (cond("a", "eq", "x"), cond("b", "in", ["1", "2"]), Not(cond("c", "is", "NULL")))
    )


# --- conjunctions ----------------------------------------------------------------------------


def test_a_bare_list_is_an_implicit_and() -> None:
    assert parse_filter("a[eq]:1,b[eq]:2") == And((cond("a", "eq", "1"), cond("b", "eq", "2")))


def test_a_bare_list_may_hold_groups_after_its_first_condition() -> None:
    tree = parse_filter("a[eq]:1,or(b[eq]:2,c[eq]:3)")
    assert tree == And((cond("a", "eq", "1"), Or((cond("b", "eq", "2"), cond("c", "eq", "3")))))


def test_an_explicit_top_level_group_is_not_wrapped_again() -> None:
    assert parse_filter("and(a[eq]:1)") == And((cond("a", "eq", "1"),))
    assert parse_filter("not(a[eq]:1)") == Not(cond("a", "eq", "1"))


def test_groups_nest_at_depth_three_and_more() -> None:
    text = "or(a[eq]:1,and(b[eq]:2,not(or(c[eq]:3,and(d[eq]:4,not(e[is]:NULL))))))"
    assert parse_filter(text) == Or(
        (
            cond("a", "eq", "1"),
            And(
                (
                    cond("b", "eq", "2"),
                    Not(
                        Or(
                            (
                                cond("c", "eq", "3"),
                                And((cond("d", "eq", "4"), Not(cond("e", "is", "NULL")))),
                            )
                        )
                    ),
                )
            ),
        )
    )


def test_nesting_up_to_the_limit_is_accepted() -> None:
    text = "not(" * MAX_NESTING + "a[eq]:1" + ")" * MAX_NESTING
    tree = parse_filter(text)
    for _ in range(MAX_NESTING):
        assert isinstance(tree, Not)
        tree = tree.child
    assert tree == cond("a", "eq", "1")


def test_nesting_beyond_the_limit_is_refused_instead_of_crashing() -> None:
    text = "not(" * (MAX_NESTING + 1) + "a[eq]:1" + ")" * (MAX_NESTING + 1)
    assert rejects(text) == f"'filter' invalid: groups are nested deeper than {MAX_NESTING} levels"


def test_a_thousand_nested_groups_are_refused_instead_of_crashing() -> None:
    assert "nested deeper" in rejects("and(" * 1000 + "a[eq]:1" + ")" * 1000)


# --- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "'filter' invalid: the filter is empty"),
        ("   ", "'filter' invalid: the filter is empty"),
        ("not()", "'filter' invalid: not() takes exactly one condition"),
        ("not(a[eq]:1,b[eq]:2)", "'filter' invalid: not() takes exactly one condition"),
        (
            "and(a[eq]:1,not(b[eq]:2,c[eq]:3))",
            "'filter' invalid: not() takes exactly one condition",
        ),
        ("and()", "'filter' invalid: and() needs at least one condition"),
        ("or(  )", "'filter' invalid: or() needs at least one condition"),
        ("and(a[eq]:1", "'filter' invalid. 1 close bracket is missing in the query"),
        ("and(or(a[eq]:1", "'filter' invalid. 2 close brackets are missing in the query"),
        ("a[eq]:1)", "'filter' invalid. 1 open bracket is missing in the query"),
        ("and(a[eq]:1)))", "'filter' invalid. 2 open brackets are missing in the query"),
        ("a[eq]:x)(", "'filter' invalid: ')' at position 7 closes nothing"),
        ("and(a[eq]:1)x", "'filter' invalid: unexpected 'x' after 'and(a[eq]:1)'"),
        ("and(a[eq]:1),b[eq]:2", "'filter' invalid: unexpected ',b[eq]:2' after 'and(a[eq]:1)'"),
        (
            "or(and(a[eq]:1) b[eq]:2)",
            "'filter' invalid: unexpected ' b[eq]:2' after 'and(a[eq]:1)'",
        ),
        ("a[eq]:1,,b[eq]:2", "'filter' invalid: empty condition in the list"),
        ("or(a[eq]:1,)", "'filter' invalid: empty condition in the list"),
        ('name[eq]:"abc', "'filter' invalid: quote \" at position 9 is never closed"),
        ("x[eq]:1,name[eq]:'abc", "'filter' invalid: quote ' at position 17 is never closed"),
        ("name[eq]:a]b", "'filter' invalid: unbalanced square brackets in 'name[eq]:a]b'"),
        ("name[eq]:a[b", "'filter' invalid: unbalanced square brackets in 'name[eq]:a[b'"),
        ("name[eqq]:x", f"'filter' invalid for 'name[eqq]:x', comparator eqq not in {ALLOWED}"),
        ("name[EQ]:x", f"'filter' invalid for 'name[EQ]:x', comparator EQ not in {ALLOWED}"),
        ("name[]:x", f"'filter' invalid for 'name[]:x', comparator  not in {ALLOWED}"),
        ("name", "'filter' invalid for 'name', expected field[comparator]:value"),
        ("name:x", "'filter' invalid for 'name:x', expected field[comparator]:value"),
        ("name[eq]x", "'filter' invalid for 'name[eq]x', expected field[comparator]:value"),
        ("name[eq] :x", "'filter' invalid for 'name[eq] :x', expected field[comparator]:value"),
        ("AND(a[eq]:1)", "'filter' invalid for 'AND(a[eq]:1)', 'AND(a' is not a valid field name"),
        ("[eq]:x", "'filter' invalid for '[eq]:x', '' is not a valid field name"),
        ("a..b[eq]:x", "'filter' invalid for 'a..b[eq]:x', '' is not a valid field name"),
        ("a.[eq]:x", "'filter' invalid for 'a.[eq]:x', '' is not a valid field name"),
        ("1a[eq]:x", "'filter' invalid for '1a[eq]:x', '1a' is not a valid field name"),
        ("a-b[eq]:x", "'filter' invalid for 'a-b[eq]:x', 'a-b' is not a valid field name"),
        ("na me[eq]:x", "'filter' invalid for 'na me[eq]:x', 'na me' is not a valid field name"),
        ("name[eq]:", "'filter' invalid for 'name[eq]:', value is missing"),
        ("name[eq]:   ", "'filter' invalid for 'name[eq]:', value is missing"),
        ("id[in]:x", "'filter' invalid for 'id[in]:x', value must be a list like [a,b]"),
        ("id[in]:[x", "'filter' invalid: unbalanced square brackets in 'id[in]:[x'"),
        ("id[in]:x]", "'filter' invalid: unbalanced square brackets in 'id[in]:x]'"),
        (
            'id[in]:"[a,b]"',
            "'filter' invalid for 'id[in]:\"[a,b]\"', value must be a list like [a,b]",
        ),
        (
            "id[containsAny]:a,b",
            "'filter' invalid for 'id[containsAny]:a', value must be a list like [a,b]",
        ),
        ("id[in]:[a,,b]", "'filter' invalid for 'id[in]:[a,,b]', the list has an empty element"),
        ("id[in]:[a, ]", "'filter' invalid for 'id[in]:[a, ]', the list has an empty element"),
        ("city[is]:null", "'filter' invalid for 'city[is]:null', value must be NULL or NOT_NULL"),
        (
            'city[is]:"NULL"',
            "'filter' invalid for 'city[is]:\"NULL\"', value must be NULL or NOT_NULL",
        ),
        ("city[is]:x", "'filter' invalid for 'city[is]:x', value must be NULL or NOT_NULL"),
    ],
)
def test_invalid_filters_are_refused_with_a_specific_message(text: str, message: str) -> None:
    assert rejects(text) == message


def test_errors_carry_the_invalid_query_param_code() -> None:
    with pytest.raises(InvalidQueryParamError) as caught:
        parse_filter("name[eqq]:x")
    assert caught.value.code == "INVALID_QUERY_PARAM"


# --- round trip ------------------------------------------------------------------------------

NAMES = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,6}", fullmatch=True)
PATHS = st.lists(NAMES, min_size=1, max_size=3).map(tuple)
# Everything the grammar treats specially, plus ordinary text; a value holds at most one kind of
# quote so the renderer can always quote it with the other.
TEXT = st.text(alphabet="ab Z09,()[]:.%_-\\é\t'\"", max_size=8).filter(
    lambda value: not ("'" in value and '"' in value)
)
BARE = re.compile(r"[A-Za-z0-9_.@%-]+")


def conditions() -> st.SearchStrategy[Condition]:
    scalar = st.builds(Condition, PATHS, st.sampled_from(SCALAR_OPERATORS), TEXT)
    listed = st.builds(
        Condition, PATHS, st.sampled_from(LIST_OPERATORS), st.lists(TEXT, max_size=3)
    )
    nulls = st.builds(Condition, PATHS, st.just(Operator.IS), st.sampled_from(["NULL", "NOT_NULL"]))
    return st.one_of(scalar, listed, nulls)


def trees() -> st.SearchStrategy[Filter]:
    def groups(children: st.SearchStrategy[Filter]) -> st.SearchStrategy[Filter]:
        many = st.lists(children, min_size=1, max_size=3).map(tuple)
        return st.one_of(many.map(And), many.map(Or), children.map(Not))

    return st.recursive(conditions(), groups, max_leaves=10)


def render_value(value: str, bare: bool) -> str:
    if bare and BARE.fullmatch(value):
        return value
    quote = "'" if '"' in value else '"'
    return f"{quote}{value}{quote}"


def render(tree: Filter, bare: bool, separator: str) -> str:
    if isinstance(tree, Condition):
        value = tree.value
        if tree.operator in LIST_OPERATORS:
            text = "[" + separator.join(render_value(element, bare) for element in value) + "]"
        else:
            text = value if tree.operator is Operator.IS else render_value(value, bare)
        return f"{'.'.join(tree.path)}[{tree.operator.value}]:{text}"
    if isinstance(tree, Not):
        return f"not({render(tree.child, bare, separator)})"
    name = "and" if isinstance(tree, And) else "or"
    return f"{name}({separator.join(render(child, bare, separator) for child in tree.children)})"


def nesting(tree: Filter) -> int:
    if isinstance(tree, Condition):
        return 0
    children = (tree.child,) if isinstance(tree, Not) else tree.children
    return 1 + max(nesting(child) for child in children)


@given(trees(), st.booleans(), st.sampled_from([",", ", "]))
def test_any_rendered_filter_tree_parses_back_to_itself(tree: Filter, bare: bool, sep: str) -> None:
    assume(nesting(tree) <= MAX_NESTING - 1)
    expected = And((tree,)) if isinstance(tree, Condition) else tree
    assert parse_filter(render(tree, bare, sep)) == expected


@given(conditions(), st.lists(trees(), max_size=3), st.booleans())
def test_any_bare_list_starting_with_a_condition_parses_as_an_and(
    first: Condition, rest: list[Filter], bare: bool
) -> None:
    assume(all(nesting(tree) <= MAX_NESTING - 1 for tree in rest))
    text = ",".join(render(tree, bare, ",") for tree in [first, *rest])
    assert parse_filter(text) == And((first, *rest))


@given(st.text(alphabet="andortin()[],:'\" .eqNUL_x", max_size=40))
def test_any_text_either_parses_or_is_refused_as_an_invalid_query_param(text: str) -> None:
    # Any other exception (a crash that would be a 500) fails the test.
    with contextlib.suppress(InvalidQueryParamError):
        parse_filter(text)
