"""Model values stay immutable: a changed copy never alters the lookups of the original."""

from __future__ import annotations

from dataclasses import replace

from chalicelib.metadata.model import WorkspaceModel
from tests.builders import make_field, make_object


def test_an_object_copied_with_a_new_field_leaves_the_originals_lookups_untouched():
    # Planning a metadata change copies the cached current model's objects; a change refused
    # after planning must not leave a phantom field in the model every later request reads.
    rocket = make_object("rocket", "rockets", [make_field("name", "TEXT")])
    grown = replace(rocket, fields=(*rocket.fields, make_field("stage", "SELECT", options=["A"])))
    assert "stage" in grown.by_name and "stage" not in rocket.by_name


def test_a_model_copied_with_other_objects_leaves_the_originals_lookups_untouched():
    model = WorkspaceModel("ws", 1, (make_object("rocket", "rockets", []),))
    grown = replace(model, objects=(*model.objects, make_object("launch", "launches", [])))
    assert "launches" in grown.by_plural and "launches" not in model.by_plural
