"""The container's model cache: the current model by version, and the newest one it holds (what
admission names a record's object by before the version is read)."""

from __future__ import annotations

from chalicelib.metadata import registry
from chalicelib.metadata.provisioning import create_workspace
from chalicelib.storage.workspaces import WorkspaceRow


def test_a_cold_cache_holds_no_model_and_a_load_makes_it_the_newest(aws):
    workspace = create_workspace("Acme")
    assert registry.latest_cached_model(workspace.id) is None
    model = registry.load_model(workspace.id)
    assert registry.latest_cached_model(workspace.id) is model


def test_the_newest_version_stays_the_newest_when_an_older_one_is_loaded_after_it(aws):
    workspace = create_workspace("Acme")
    newer = registry.model_of(workspace.id, WorkspaceRow(workspace.id, "Acme", 7, "t"))
    older = registry.model_of(workspace.id, WorkspaceRow(workspace.id, "Acme", 3, "t"))
    assert (newer.version, older.version) == (7, 3)
    assert registry.latest_cached_model(workspace.id) is newer


def test_a_workspace_whose_models_were_all_evicted_has_no_newest(aws, monkeypatch):
    monkeypatch.setattr(registry, "_CACHE_SIZE", 1)
    first, second = create_workspace("First"), create_workspace("Second")
    registry.load_model(first.id)
    registry.load_model(second.id)
    assert registry.latest_cached_model(first.id) is None
    assert registry.latest_cached_model(second.id) is not None
    assert first.id not in registry._latest_version  # nothing kept for evicted workspaces
