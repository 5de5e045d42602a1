"""Workspace and metadata items: create a workspace, read its version, load its whole model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.storage import keys
from chalicelib.storage.batch_writer import put_all
from chalicelib.storage.models import MetadataItem, WorkspaceItem
from chalicelib.storage.retry import retried


@dataclass(frozen=True, slots=True)
class WorkspaceRow:
    id: str
    name: str
    metadata_version: int
    created_at: str


def save_new_workspace(
    workspace_id: str,
    name: str,
    created_at: str,
    object_bodies: list[dict[str, Any]],
    field_bodies: list[dict[str, Any]],
) -> None:
    """Write the metadata items, then the workspace item that makes them reachable."""
    items: list[Any] = []
    for body in object_bodies:
        key = keys.object_metadata_key(workspace_id, body["id"])
        items.append(MetadataItem(key.pk, key.sk, kind="object", body=body))
    for body in field_bodies:
        key = keys.field_metadata_key(workspace_id, body["objectMetadataId"], body["id"])
        items.append(MetadataItem(key.pk, key.sk, kind="field", body=body))
    put_all(items)
    # Written last: until it exists no API key can resolve to a half-seeded workspace.
    ws_key = keys.workspace_key(workspace_id)
    put_all(
        [WorkspaceItem(ws_key.pk, ws_key.sk, name=name, metadata_version=1, created_at=created_at)]
    )


@retried
def load_workspace(workspace_id: str) -> WorkspaceRow | None:
    key = keys.workspace_key(workspace_id)
    try:
        # Consistent read: a metadata change must be visible to the very next request.
        item = WorkspaceItem.get(key.pk, key.sk, consistent_read=True)
    except WorkspaceItem.DoesNotExist:
        return None
    return _row(workspace_id, item)


def workspace_from_wire(workspace_id: str, item: dict[str, Any]) -> WorkspaceRow:
    """The row of a workspace item as a wire-level read returned it (admission's BatchGetItem)."""
    return _row(workspace_id, WorkspaceItem.from_raw_data(item))


def _row(workspace_id: str, item: WorkspaceItem) -> WorkspaceRow:
    return WorkspaceRow(workspace_id, item.name, int(item.metadata_version), item.created_at)


@retried
def load_metadata_bodies(workspace_id: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every object and field body of the workspace: one Query (more pages only past 1 MB)."""
    objects: list[dict[str, Any]] = []
    fields: list[dict[str, Any]] = []
    for item in MetadataItem.query(keys.metadata_pk(workspace_id), consistent_read=True):
        (objects if item.kind == "object" else fields).append(item.body)
    return objects, fields
