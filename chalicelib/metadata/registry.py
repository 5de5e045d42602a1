"""The workspace model for a request: one version check, then a container-wide cache."""

from __future__ import annotations

from collections import OrderedDict
from threading import Lock

from chalicelib.errors import AuthenticationError
from chalicelib.metadata.model import WorkspaceModel
from chalicelib.metadata.serialization import build_workspace_model
from chalicelib.storage import workspaces

_CACHE_SIZE = 64  # workspaces per warm container; each model is a few hundred KB at most

_cache: OrderedDict[tuple[str, int], WorkspaceModel] = OrderedDict()
_lock = Lock()


def load_model(workspace_id: str) -> WorkspaceModel:
    """Current model of a workspace: a GetItem for its version, a Query only on a cache miss."""
    row = workspaces.load_workspace(workspace_id)
    if row is None:
        # A key whose workspace is gone is as good as no key.
        raise AuthenticationError("The workspace of this API key no longer exists")
    cache_key = (workspace_id, row.metadata_version)
    with _lock:
        model = _cache.get(cache_key)
        if model is not None:
            _cache.move_to_end(cache_key)
            return model
    object_bodies, field_bodies = workspaces.load_metadata_bodies(workspace_id)
    model = build_workspace_model(workspace_id, row.metadata_version, object_bodies, field_bodies)
    with _lock:
        _cache[cache_key] = model
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return model


def clear_cache() -> None:
    with _lock:
        _cache.clear()
