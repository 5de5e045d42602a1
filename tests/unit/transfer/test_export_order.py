"""The export writes the targets of relations first, so most join columns name a record the
import has already written."""

from __future__ import annotations

from chalicelib.metadata.model import FieldType, WorkspaceModel
from chalicelib.transfer.export import dependency_order, record_data
from tests.builders import make_field, make_many_to_one, make_object


def names(model: WorkspaceModel) -> list[str]:
    return [obj.name_singular for obj in dependency_order(model)]


def test_targets_come_before_the_objects_pointing_at_them():
    company = make_object("company", "companies", [])
    person = make_object("person", "people", [make_many_to_one("company", "company")])
    deal = make_object(
        "deal",
        "deals",
        [make_many_to_one("buyer", "person"), make_many_to_one("seller", "company")],
    )
    assert names(WorkspaceModel("ws", 1, (deal, person, company))) == ["company", "person", "deal"]


def test_a_self_relation_does_not_hold_an_object_back_and_a_cycle_is_broken_by_name():
    rocket = make_object("rocket", "rockets", [make_many_to_one("predecessor", "rocket")])
    a = make_object("alpha", "alphas", [make_many_to_one("beta", "beta")])
    b = make_object("beta", "betas", [make_many_to_one("alpha", "alpha")])
    assert names(WorkspaceModel("ws", 1, (rocket, b, a))) == ["rocket", "alpha", "beta"]


def test_record_data_keeps_the_values_the_model_knows():
    person = make_object(
        "person", "people", [make_field("city", FieldType.TEXT), make_many_to_one("company", "c")]
    )
    shaped = {"id": "1", "city": "Paris", "companyId": "c1", "gone": 1, "deletedAt": None}
    assert record_data(person, shaped) == {
        "id": "1",
        "city": "Paris",
        "companyId": "c1",
        "deletedAt": None,
    }
