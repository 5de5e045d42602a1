"""Admission of an authenticated request, the same for every API: who is calling (the key),
may it (scope), is it within its rate (limits), and the workspace's current model."""

from __future__ import annotations

import time
from dataclasses import dataclass

from chalice.app import Request

from chalicelib import request_state
from chalicelib.auth import rate_limits
from chalicelib.auth.api_keys import authenticate
from chalicelib.auth.scopes import Api, require_scope
from chalicelib.context import Principal, RequestContext, utc_now_iso
from chalicelib.metadata.model import WorkspaceModel
from chalicelib.metadata.registry import load_model


@dataclass(frozen=True, slots=True)
class Admission:
    principal: Principal
    now: str
    model: WorkspaceModel | None  # None when the caller asked not to load it

    @property
    def ctx(self) -> RequestContext:
        return RequestContext(principal=self.principal, now=self.now)

    def require_model(self) -> WorkspaceModel:
        assert self.model is not None, "admitted without loading the model"
        return self.model


def admit(request: Request, *, api: Api, writes: bool, with_model: bool = True) -> Admission:
    """Authenticate, check the key's scope, charge the rate limits, load the model (in that
    order: a refused request reads nothing of the workspace and writes nothing)."""
    now = utc_now_iso()
    principal = authenticate(request.headers.get("authorization"), now=now)
    request_state.note_caller(principal.workspace_id, principal.key_id)
    require_scope(principal, api, writes=writes)
    rate_limits.charge(principal, now_epoch=time.time())
    model = load_model(principal.workspace_id) if with_model else None
    return Admission(principal, now, model)
