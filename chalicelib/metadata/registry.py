"""The workspace model for a request: one version check, then a container-wide cache."""

from __future__ import annotations

from collections import OrderedDict
from threading import Lock

from chalicelib.errors import AuthenticationError
from chalicelib.metadata.model import WorkspaceModel
from chalicelib.metadata.serialization import build_workspace_model
from chalicelib.storage import workspaces
from chalicelib.storage.workspaces import WorkspaceRow

_CACHE_SIZE = 64  # workspaces per warm container; each model is a few hundred KB at most

_cache: OrderedDict[tuple[str, int], WorkspaceModel] = OrderedDict()
# The highest version cached per workspace (its model may have been evicted since).
_latest_version: dict[str, int] = {}
_lock = Lock()


def load_model(workspace_id: str) -> WorkspaceModel:
    """Current model of a workspace: a GetItem for its version, a Query only on a cache miss."""
    return model_of(workspace_id, workspaces.load_workspace(workspace_id))


def model_of(workspace_id: str, row: WorkspaceRow | None) -> WorkspaceModel:
    """The model at the version of `row`, the workspace item just read consistently (None: the
    workspace is gone): from the cache, else one Query of the metadata partition."""
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
        if row.metadata_version >= _latest_version.get(workspace_id, 0):
            _latest_version[workspace_id] = row.metadata_version
        while len(_cache) > _CACHE_SIZE:
            (evicted, _), _ = _cache.popitem(last=False)
            if not any(ws == evicted for ws, _ in _cache):
                _latest_version.pop(evicted, None)
    return model


def latest_cached_model(workspace_id: str) -> WorkspaceModel | None:
    """The newest model of the workspace this container holds, possibly out of date: good for
    naming an object's id before the version is read (object ids never change across versions),
    never for answering. None on a cold cache."""
    with _lock:
        version = _latest_version.get(workspace_id)
        return None if version is None else _cache.get((workspace_id, version))


def clear_cache() -> None:
    with _lock:
        _cache.clear()
        _latest_version.clear()
