"""Admission of an authenticated request, the same for every API: who is calling (the key),
may it (scope), is it within its rate (limits), and the workspace's current model.

A token naming its workspace (`crm_<workspace hex>_<secret>`, auth/api_keys.py) is admitted with
ONE BatchGetItem: its key item, the workspace item (metadata version) and, for a REST read by
id, the record (storage/admission_reads.py). The key item is checked first and stays the
authority: nothing read for the named workspace is used unless the key belongs to it. Older
tokens name no workspace: GetItem of the key, then the workspace (and the record) as before.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from chalice.app import Request

from chalicelib import request_state
from chalicelib.auth import rate_limits
from chalicelib.auth.api_keys import (
    authenticate_token,
    bearer_token,
    token_workspace,
    verified_principal,
)
from chalicelib.auth.scopes import Api, require_scope
from chalicelib.context import Principal, RequestContext, utc_now_iso
from chalicelib.core.ports import StoredRecord
from chalicelib.core.prefetched import PrefetchedRecord
from chalicelib.metadata import registry
from chalicelib.metadata.model import WorkspaceModel
from chalicelib.storage.admission_reads import RecordRef, read_admission_items


@dataclass(frozen=True, slots=True)
class RecordPrefetch:
    """A route's request to read one record with admission: the object as the route names it
    (its plural) and an id already validated as a UUID."""

    plural: str
    record_id: str


@dataclass(frozen=True, slots=True)
class Admission:
    principal: Principal
    now: str
    model: WorkspaceModel | None  # None when the caller asked not to load it
    # The record a RecordPrefetch asked for, read with admission; None when it could not be
    # (cold model cache, unknown object): the core then reads it itself.
    prefetched: PrefetchedRecord | None = None

    @property
    def ctx(self) -> RequestContext:
        return RequestContext(principal=self.principal, now=self.now)

    def require_model(self) -> WorkspaceModel:
        assert self.model is not None, "admitted without loading the model"
        return self.model


def admit(
    request: Request,
    *,
    api: Api,
    writes: bool,
    with_model: bool = True,
    prefetch: RecordPrefetch | None = None,
) -> Admission:
    """Authenticate, check the key's scope, charge the rate limits, load the model (in that
    order: a refused request uses nothing of the workspace and writes nothing)."""
    now = utc_now_iso()
    token = bearer_token(request.headers.get("authorization"))
    named = token_workspace(token)
    if named is not None and with_model:
        return _admit_in_one_read(token, named, api=api, writes=writes, now=now, prefetch=prefetch)
    principal = authenticate_token(token, now=now)
    _check_and_charge(principal, api=api, writes=writes)
    if not with_model:
        return Admission(principal, now, None)
    ref = _record_ref(principal.workspace_id, prefetch)
    if ref is None:
        return Admission(principal, now, registry.load_model(principal.workspace_id))
    # The workspace's version and the record together: 2 round trips instead of 3.
    items = read_admission_items(principal.workspace_id, record=ref)
    model = registry.model_of(principal.workspace_id, items.workspace)
    return Admission(principal, now, model, _prefetched(ref, items.record))


def _admit_in_one_read(
    token: str, named: str, *, api: Api, writes: bool, now: str, prefetch: RecordPrefetch | None
) -> Admission:
    ref = _record_ref(named, prefetch)
    items = read_admission_items(named, token=token, record=ref)
    # Refuses a token naming another workspace than its key's: the workspace item and the
    # record read for the named workspace are then dropped unseen.
    principal = verified_principal(items.key, token, now=now)
    _check_and_charge(principal, api=api, writes=writes)
    model = registry.model_of(principal.workspace_id, items.workspace)
    return Admission(principal, now, model, None if ref is None else _prefetched(ref, items.record))


def _check_and_charge(principal: Principal, *, api: Api, writes: bool) -> None:
    request_state.note_caller(principal.workspace_id, principal.key_id)
    require_scope(principal, api, writes=writes)
    # After authentication: a forged token cannot spend a workspace's budget. A record read
    # with admission is simply dropped when the request is over its limit.
    rate_limits.charge(principal, now_epoch=time.time())


def _record_ref(workspace_id: str, prefetch: RecordPrefetch | None) -> RecordRef | None:
    """The record's key, if the container's newest model of the workspace names its object."""
    if prefetch is None:
        return None
    cached = registry.latest_cached_model(workspace_id)
    obj = cached.by_plural.get(prefetch.plural) if cached is not None else None
    return None if obj is None else RecordRef(obj.id, prefetch.record_id)


def _prefetched(ref: RecordRef, record: StoredRecord | None) -> PrefetchedRecord:
    return PrefetchedRecord(ref.object_id, ref.record_id, record)
