"""The model a metadata change would leave, which the schema check is given before the commit."""

from __future__ import annotations

from dataclasses import replace

from chalicelib.metadata.model import FieldDef, ObjectDef, WorkspaceModel
from chalicelib.metadata.serialization import field_to_body, object_to_body
from chalicelib.metadata.service import model_after
from chalicelib.storage.metadata_store import MetadataChange
from tests.builders import make_field, make_object, stable_id


def an_object(singular: str, plural: str, *fields: FieldDef) -> ObjectDef:
    """An object whose field ids are its own (make_object's depend on the field name only)."""
    obj = make_object(singular, plural, fields)
    return replace(
        obj, fields=tuple(replace(f, id=stable_id(singular, f.name)) for f in obj.fields)
    )


def two_objects() -> WorkspaceModel:
    rocket = an_object("rocket", "rockets", make_field("fuel", "TEXT"))
    launch = an_object("launch", "launches", make_field("pad", "TEXT"))
    return WorkspaceModel("ws", 4, (launch, rocket))


def test_a_new_object_and_its_fields_are_in_the_next_version():
    model = two_objects()
    probe = an_object("probe", "probes", make_field("orbit", "TEXT"))
    change = MetadataChange(
        object_bodies=[object_to_body(probe)], field_bodies=[field_to_body(f) for f in probe.fields]
    )
    after = model_after(model, change)
    names = [obj.name_singular for obj in after.objects]
    assert (after.version, names) == (5, ["launch", "probe", "rocket"])
    assert after.by_singular["probe"] == probe
    assert after.by_singular["rocket"] is model.by_singular["rocket"]  # untouched: reused


def test_a_new_field_joins_its_object_and_the_model_it_came_from_is_unchanged():
    model = two_objects()
    rocket = model.by_singular["rocket"]
    stage = make_field("stage", "SELECT", options=["A"], object_id=rocket.id)
    after = model_after(model, MetadataChange(field_bodies=[field_to_body(stage)]))
    assert after.by_singular["rocket"].by_name["stage"] == stage
    assert "stage" not in model.by_singular["rocket"].by_name


def test_deleted_fields_and_objects_are_gone_and_a_rewritten_object_replaces_the_old_one():
    model = two_objects()
    rocket, launch = model.by_singular["rocket"], model.by_singular["launch"]
    fuel = rocket.by_name["fuel"]
    renamed = replace(rocket, name_singular="missile", name_plural="missiles")
    change = MetadataChange(
        object_bodies=[object_to_body(renamed)],
        deleted_fields=[(rocket.id, fuel.id)],
        deleted_objects=[launch.id],
    )
    after = model_after(model, change)
    assert [o.name_singular for o in after.objects] == ["missile"]
    assert "fuel" not in after.by_singular["missile"].by_name
