from __future__ import annotations

from chalicelib.metadata import derived
from chalicelib.metadata.derived import DerivedFromObject
from chalicelib.metadata.model import FieldType, ObjectDef
from tests.builders import make_field, make_object


def _note() -> ObjectDef:
    return make_object("note", "notes", [make_field("title", FieldType.TEXT)])


def _counting() -> tuple[DerivedFromObject[str, tuple[str, str]], list[tuple[str, str]]]:
    built: list[tuple[str, str]] = []

    def build(obj: ObjectDef, detail: str) -> tuple[str, str]:
        built.append((obj.name_singular, detail))
        return (obj.name_plural, detail)

    return DerivedFromObject(build), built


def test_a_value_is_built_once_per_definition_and_detail() -> None:
    memo, built = _counting()
    note = _note()
    assert memo(note, "a") == ("notes", "a")
    assert memo(note, "a") == ("notes", "a")
    assert memo(note, "b") == ("notes", "b")
    assert built == [("note", "a"), ("note", "b")]


def test_an_equal_but_distinct_definition_gets_its_own_value() -> None:
    # A new model version makes new definitions: what was derived from the old one is not used.
    memo, built = _counting()
    first, second = _note(), _note()
    assert first == second and first is not second
    memo(first, "a")
    memo(second, "a")
    assert built == [("note", "a"), ("note", "a")]


def test_the_memo_is_bounded_and_rebuilds_after_it_is_emptied(monkeypatch) -> None:
    monkeypatch.setattr(derived, "_MAX_ENTRIES", 2)
    memo, built = _counting()
    note = _note()
    memo(note, "a")
    memo(note, "b")
    memo(note, "c")  # full: emptied, then "c" kept
    memo(note, "c")
    memo(note, "a")
    assert built == [("note", "a"), ("note", "b"), ("note", "c"), ("note", "a")]
