"""Model values survive the trip through the camelCase bodies stored in DynamoDB."""

from __future__ import annotations

import json
import random
from decimal import Decimal

import pytest

from chalicelib.metadata.builder import build_standard_objects
from chalicelib.metadata.model import FieldDef, FieldType, ObjectDef
from chalicelib.metadata.serialization import (
    build_workspace_model,
    field_from_body,
    field_to_body,
    object_from_body,
    object_to_body,
)

NOW = "2024-01-01T00:00:00.000Z"

OBJECT_KEYS = {
    "id",
    "nameSingular",
    "namePlural",
    "labelSingular",
    "labelPlural",
    "description",
    "icon",
    "isCustom",
    "isActive",
    "isSystem",
    "labelIdentifierFieldMetadataId",
    "createdAt",
    "updatedAt",
    # Ours: the object's index slots (docs/data-model.md, "Index slots").
    "indexes",
}
FIELD_KEYS = {
    "id",
    "objectMetadataId",
    "type",
    "name",
    "label",
    "description",
    "icon",
    "isCustom",
    "isActive",
    "isSystem",
    "isNullable",
    "isUnique",
    "defaultValue",
    "options",
    "settings",
    "relation",
    "createdAt",
    "updatedAt",
}


@pytest.fixture(scope="module")
def objects() -> tuple[ObjectDef, ...]:
    return build_standard_objects(now=NOW)


def _bodies(objects):
    object_bodies = [object_to_body(obj) for obj in objects]
    field_bodies = [field_to_body(field) for obj in objects for field in obj.fields]
    return object_bodies, field_bodies


def _by_name(objects, name):
    return next(obj for obj in objects if obj.name_singular == name)


def test_every_object_survives_a_round_trip_through_its_bodies(objects):
    for obj in objects:
        fields = tuple(field_from_body(field_to_body(field)) for field in obj.fields)
        assert object_from_body(object_to_body(obj), fields) == obj


def test_bodies_survive_json_encoding(objects):
    object_bodies, field_bodies = _bodies(objects)
    decoded_objects = json.loads(json.dumps(object_bodies))
    decoded_fields = json.loads(json.dumps(field_bodies))
    model = build_workspace_model("ws", 3, decoded_objects, decoded_fields)
    assert model.objects == tuple(sorted(objects, key=lambda obj: obj.name_singular))


def test_object_bodies_use_twentys_camel_case_keys_and_hold_no_fields(objects):
    body = object_to_body(_by_name(objects, "company"))
    assert set(body) == OBJECT_KEYS
    assert body["nameSingular"] == "company"
    assert body["labelIdentifierFieldMetadataId"] == _by_name(objects, "company").by_name["name"].id


def test_field_bodies_use_twentys_camel_case_keys(objects):
    for field in _by_name(objects, "person").fields:
        assert set(field_to_body(field)) == FIELD_KEYS


def test_a_relation_body_names_its_target_object_and_field(objects):
    person_company = _by_name(objects, "person").by_name["company"]
    body = field_to_body(person_company)
    assert body["type"] == "RELATION"
    assert body["relation"] == {
        "type": "MANY_TO_ONE",
        "targetObjectMetadataId": _by_name(objects, "company").id,
        "targetFieldMetadataId": _by_name(objects, "company").by_name["people"].id,
        "onDelete": "SET_NULL",
    }
    assert body["settings"]["joinColumnName"] == "companyId"


def test_a_select_body_lists_its_options_and_other_fields_have_null_options(objects):
    opportunity = _by_name(objects, "opportunity")
    stage = field_to_body(opportunity.by_name["stage"])
    assert stage["options"][0] == {
        "id": opportunity.by_name["stage"].options[0].id,
        "value": "NEW",
        "label": "New",
        "position": 0,
        "color": "red",
    }
    assert stage["defaultValue"] == "'NEW'"
    assert field_to_body(opportunity.by_name["name"])["options"] is None
    assert field_to_body(opportunity.by_name["name"])["relation"] is None


def test_changing_a_body_leaves_the_model_value_untouched(objects):
    domain_name = _by_name(objects, "company").by_name["domainName"]
    body = field_to_body(domain_name)
    body["defaultValue"]["primaryLinkUrl"] = "'changed'"
    assert domain_name.default_value["primaryLinkUrl"] == "''"


def test_option_positions_read_back_from_dynamodb_decimals_are_ints(objects):
    body = field_to_body(_by_name(objects, "task").by_name["status"])
    for option in body["options"]:
        option["position"] = Decimal(option["position"])
    assert [option.position for option in field_from_body(body).options] == [0, 1, 2]


def test_workspace_model_sorts_objects_by_singular_name_and_keeps_field_order(objects):
    object_bodies, field_bodies = _bodies(objects)
    shuffled = list(object_bodies)
    random.Random(7).shuffle(shuffled)
    model = build_workspace_model("ws", 5, shuffled, field_bodies)
    assert (model.workspace_id, model.version) == ("ws", 5)
    assert [obj.name_singular for obj in model.objects] == sorted(
        obj.name_singular for obj in objects
    )
    for obj in objects:
        assert model.by_id[obj.id].fields == obj.fields
    assert model.by_plural["people"].by_name["emails"].is_unique


def test_workspace_model_ignores_fields_of_unknown_objects(objects):
    object_bodies, field_bodies = _bodies(objects)
    orphan = FieldDef(id="f-orphan", object_id="gone", name="x", label="X", type=FieldType.TEXT)
    model = build_workspace_model("ws", 1, object_bodies, [*field_bodies, field_to_body(orphan)])
    assert "gone" not in model.by_id
    assert sum(len(obj.fields) for obj in model.objects) == len(field_bodies)


def test_optional_body_keys_fall_back_to_the_model_defaults():
    field = field_from_body(
        {"id": "f1", "objectMetadataId": "o1", "type": "TEXT", "name": "city", "label": "City"}
    )
    expected = FieldDef(id="f1", object_id="o1", name="city", label="City", type=FieldType.TEXT)
    assert field == expected


def test_index_slots_survive_a_round_trip():
    from chalicelib.metadata.builder import build_standard_objects
    from chalicelib.metadata.indexing import with_indexes

    for obj in build_standard_objects(now="2024-01-01T00:00:00.000Z"):
        indexed = with_indexes(obj)
        assert indexed.indexes
        restored = object_from_body(object_to_body(indexed), indexed.fields)
        assert restored.indexes == indexed.indexes
