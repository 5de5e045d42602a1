"""The standard objects every workspace gets, as built from the declarative spec."""

from __future__ import annotations

import itertools
import re

import pytest

from chalicelib.metadata.builder import build_standard_objects
from chalicelib.metadata.model import (
    SYSTEM_FIELD_NAMES,
    FieldType,
    ObjectDef,
    RelationType,
    WorkspaceModel,
)

NOW = "2024-01-01T00:00:00.000Z"
UPPER_SNAKE = re.compile(r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$")


def _counter_ids():
    counter = itertools.count(1)
    return lambda: f"id-{next(counter):04d}"


@pytest.fixture(scope="module")
def objects() -> tuple[ObjectDef, ...]:
    return build_standard_objects(now=NOW)


@pytest.fixture(scope="module")
def model(objects) -> WorkspaceModel:
    return WorkspaceModel(workspace_id="ws", version=1, objects=objects)


def _all_fields(objects):
    return [field for obj in objects for field in obj.fields]


def test_all_eight_standard_objects_are_present_with_their_plural_names(model):
    assert {obj.name_singular: obj.name_plural for obj in model.objects} == {
        "company": "companies",
        "person": "people",
        "opportunity": "opportunities",
        "note": "notes",
        "task": "tasks",
        "noteTarget": "noteTargets",
        "taskTarget": "taskTargets",
        "workspaceMember": "workspaceMembers",
    }


def test_no_singular_name_equals_any_plural_name(objects):
    singulars = {obj.name_singular for obj in objects}
    plurals = {obj.name_plural for obj in objects}
    assert len(singulars) == len(plurals) == len(objects)
    assert not singulars & plurals


def test_every_object_has_the_seven_system_fields(objects):
    for obj in objects:
        assert set(SYSTEM_FIELD_NAMES) <= set(obj.by_name), obj.name_singular
        assert obj.by_name["id"].type is FieldType.UUID
        assert obj.by_name["id"].is_system and not obj.by_name["id"].is_nullable
        assert obj.by_name["position"].type is FieldType.POSITION
        assert obj.by_name["deletedAt"].is_nullable
        for name in ("createdAt", "updatedAt"):
            assert obj.by_name[name].type is FieldType.DATE_TIME
            assert obj.by_name[name].default_value == "now"
            assert not obj.by_name[name].is_nullable
        for name in ("createdBy", "updatedBy"):
            assert obj.by_name[name].type is FieldType.ACTOR


def test_the_id_field_comes_first_in_every_object(objects):
    assert all(obj.fields[0].name == "id" for obj in objects)


def test_the_only_unique_fields_are_company_domain_name_and_person_emails(objects):
    unique = {(obj.name_singular, field.name) for obj in objects for field in obj.unique_fields()}
    assert unique == {("company", "domainName"), ("person", "emails")}


def test_every_many_to_one_has_a_one_to_many_inverse_pointing_back(model):
    fields_by_id = {field.id: field for field in _all_fields(model.objects)}
    many_to_one = [
        field
        for field in fields_by_id.values()
        if field.relation and field.relation.type is RelationType.MANY_TO_ONE
    ]
    assert many_to_one
    for field in many_to_one:
        inverse = fields_by_id[field.relation.target_field_id]
        assert inverse.object_id == field.relation.target_object_id
        assert inverse.type is FieldType.RELATION
        assert inverse.relation.type is RelationType.ONE_TO_MANY
        assert inverse.relation.target_object_id == field.object_id
        assert inverse.relation.target_field_id == field.id
        assert model.by_id[inverse.object_id].by_name[inverse.name] is inverse


def test_every_one_to_many_is_the_inverse_of_some_many_to_one(objects):
    fields_by_id = {field.id: field for field in _all_fields(objects)}
    for field in fields_by_id.values():
        if field.relation and field.relation.type is RelationType.ONE_TO_MANY:
            owner = fields_by_id[field.relation.target_field_id]
            assert owner.relation.type is RelationType.MANY_TO_ONE
            assert owner.relation.target_field_id == field.id


def test_person_company_relation_has_a_one_to_many_inverse_named_people_on_company(model):
    company = model.by_singular["company"]
    person_company = model.by_singular["person"].by_name["company"]
    assert person_company.join_column == "companyId"
    assert person_company.relation.target_object_id == company.id
    assert person_company.relation.on_delete == "SET_NULL"
    assert company.by_name["people"].id == person_company.relation.target_field_id


def test_relations_connect_exactly_the_requested_ends(model):
    ends = set()
    for obj in model.objects:
        for field in obj.many_to_one_fields():
            target = model.by_id[field.relation.target_object_id]
            inverse = next(f for f in target.fields if f.id == field.relation.target_field_id)
            ends.add((obj.name_singular, field.name, target.name_singular, inverse.name))
    assert ends == {
        ("company", "accountOwner", "workspaceMember", "accountOwnerForCompanies"),
        ("person", "company", "company", "people"),
        ("opportunity", "pointOfContact", "person", "pointOfContactForOpportunities"),
        ("opportunity", "company", "company", "opportunities"),
        ("task", "assignee", "workspaceMember", "assignedTasks"),
        ("noteTarget", "note", "note", "noteTargets"),
        ("noteTarget", "person", "person", "noteTargets"),
        ("noteTarget", "company", "company", "noteTargets"),
        ("noteTarget", "opportunity", "opportunity", "noteTargets"),
        ("taskTarget", "task", "task", "taskTargets"),
        ("taskTarget", "person", "person", "taskTargets"),
        ("taskTarget", "company", "company", "taskTargets"),
        ("taskTarget", "opportunity", "opportunity", "taskTargets"),
    }


def test_only_the_junction_owners_cascade_on_delete(model):
    cascading = {
        (obj.name_singular, field.name)
        for obj in model.objects
        for field in obj.many_to_one_fields()
        if field.relation.on_delete == "CASCADE"
    }
    assert cascading == {("noteTarget", "note"), ("taskTarget", "task")}


def test_relation_settings_name_the_join_column_only_on_the_many_to_one_side(objects):
    for field in _all_fields(objects):
        if field.relation is None:
            continue
        assert field.settings["relationType"] == field.relation.type.value
        assert field.settings["onDelete"] == field.relation.on_delete
        if field.relation.type is RelationType.MANY_TO_ONE:
            assert field.settings["joinColumnName"] == f"{field.name}Id"
        else:
            assert "joinColumnName" not in field.settings


def test_select_options_are_upper_snake_unique_and_positioned_in_order(objects):
    selects = [f for f in _all_fields(objects) if f.type is FieldType.SELECT]
    assert selects
    for field in selects:
        values = [option.value for option in field.options]
        assert all(UPPER_SNAKE.match(value) for value in values), field.name
        assert len(set(values)) == len(values)
        assert [option.position for option in field.options] == list(range(len(values)))
        assert all(option.id and option.label and option.color for option in field.options)
        assert field.default_value.strip("'") in values


def test_opportunity_stage_runs_from_new_to_customer_and_defaults_to_new(model):
    stage = model.by_singular["opportunity"].by_name["stage"]
    assert [option.value for option in stage.options] == [
        "NEW",
        "SCREENING",
        "MEETING",
        "PROPOSAL",
        "CUSTOMER",
    ]
    assert stage.default_value == "'NEW'"


def test_task_status_and_workspace_member_formats_have_their_twenty_values(model):
    def values(object_name, field_name):
        field = model.by_singular[object_name].by_name[field_name]
        return [option.value for option in field.options]

    assert values("task", "status") == ["TODO", "IN_PROGRESS", "DONE"]
    assert values("workspaceMember", "dateFormat") == [
        "SYSTEM",
        "MONTH_FIRST",
        "DAY_FIRST",
        "YEAR_FIRST",
    ]
    assert values("workspaceMember", "timeFormat") == ["SYSTEM", "HOUR_12", "HOUR_24"]


def test_field_names_are_unique_and_never_shadow_a_join_column(objects):
    for obj in objects:
        names = [field.name for field in obj.fields]
        assert len(set(names)) == len(names), obj.name_singular
        join_columns = {field.join_column for field in obj.fields if field.join_column}
        assert not join_columns & set(names), obj.name_singular


def test_label_identifiers_point_at_name_or_title_and_targets_have_none(model):
    def label_identifier(object_name):
        obj = model.by_singular[object_name]
        matching = [f.name for f in obj.fields if f.id == obj.label_identifier_field_id]
        return matching[0] if matching else obj.label_identifier_field_id

    assert {obj.name_singular: label_identifier(obj.name_singular) for obj in model.objects} == {
        "company": "name",
        "person": "name",
        "opportunity": "name",
        "workspaceMember": "name",
        "note": "title",
        "task": "title",
        "noteTarget": None,
        "taskTarget": None,
    }


def test_principal_field_types_follow_the_reference(model):
    def field_type(object_name, field_name):
        return model.by_singular[object_name].by_name[field_name].type

    assert field_type("company", "domainName") is FieldType.LINKS
    assert field_type("company", "annualRecurringRevenue") is FieldType.CURRENCY
    assert field_type("company", "address") is FieldType.ADDRESS
    assert field_type("person", "name") is FieldType.FULL_NAME
    assert field_type("person", "emails") is FieldType.EMAILS
    assert field_type("person", "phones") is FieldType.PHONES
    assert field_type("note", "bodyV2") is FieldType.RICH_TEXT_V2
    assert field_type("task", "dueAt") is FieldType.DATE_TIME
    assert field_type("workspaceMember", "userId") is FieldType.UUID


def test_company_employees_is_an_integer_and_icp_defaults_to_false(model):
    company = model.by_singular["company"]
    assert company.by_name["employees"].settings == {"dataType": "int"}
    assert company.by_name["idealCustomerProfile"].default_value is False


def test_every_object_and_field_gets_a_distinct_fresh_id_and_timestamps(objects):
    ids = [obj.id for obj in objects] + [field.id for field in _all_fields(objects)]
    assert len(set(ids)) == len(ids)
    for obj in objects:
        assert (obj.created_at, obj.updated_at, obj.is_custom) == (NOW, NOW, False)
        for field in obj.fields:
            assert field.object_id == obj.id
            assert (field.created_at, field.updated_at, field.is_custom) == (NOW, NOW, False)


def test_building_twice_with_the_same_id_source_gives_equal_objects():
    assert build_standard_objects(now=NOW, new_id=_counter_ids()) == build_standard_objects(
        now=NOW, new_id=_counter_ids()
    )


def test_built_objects_do_not_share_mutable_defaults_or_settings():
    first, second = (build_standard_objects(now=NOW) for _ in range(2))
    first_company = next(obj for obj in first if obj.name_singular == "company")
    second_company = next(obj for obj in second if obj.name_singular == "company")
    first_company.by_name["domainName"].default_value["primaryLinkUrl"] = "'changed'"
    first_company.by_name["employees"].settings["dataType"] = "float"
    assert second_company.by_name["domainName"].default_value["primaryLinkUrl"] == "''"
    assert second_company.by_name["employees"].settings == {"dataType": "int"}
