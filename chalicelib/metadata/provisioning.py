"""Create a workspace: the standard data model written as metadata items."""

from __future__ import annotations

import uuid

from chalicelib.context import utc_now_iso
from chalicelib.metadata.builder import build_standard_objects
from chalicelib.metadata.indexing import with_indexes
from chalicelib.metadata.serialization import field_to_body, object_to_body
from chalicelib.storage import workspaces
from chalicelib.storage.workspaces import WorkspaceRow


def create_workspace(name: str, *, workspace_id: str | None = None) -> WorkspaceRow:
    """Seed a workspace with the standard objects; an existing id is returned untouched."""
    workspace_id = workspace_id or str(uuid.uuid4())
    existing = workspaces.load_workspace(workspace_id)
    if existing is not None:
        return existing
    now = utc_now_iso()
    objects = tuple(with_indexes(obj) for obj in build_standard_objects(now=now))
    workspaces.save_new_workspace(
        workspace_id,
        name,
        now,
        [object_to_body(obj) for obj in objects],
        [field_to_body(field) for obj in objects for field in obj.fields],
    )
    return WorkspaceRow(workspace_id, name, 1, now)
