"""The wrapper every REST view runs in: authenticate, load the model, map errors once."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chalice import Response
from chalice.app import Request

from chalicelib.auth.admission import RecordPrefetch, admit
from chalicelib.auth.scopes import Api
from chalicelib.context import RequestContext
from chalicelib.core import budget
from chalicelib.core.prefetched import PrefetchedRecord
from chalicelib.errors import CrmError
from chalicelib.idempotency.hooks import guard_rest_write
from chalicelib.json_output import dumps
from chalicelib.metadata.model import WorkspaceModel
from chalicelib.rest.errors import error_response, unexpected_error_response
from chalicelib.rest.parsing import json_body
from chalicelib.settings import SETTINGS


@dataclass(frozen=True, slots=True)
class RestCall:
    """Everything a REST view needs, already authenticated."""

    request: Request
    ctx: RequestContext
    model: WorkspaceModel
    # The record the view's `prefetch` named, read with admission (see `authenticated`).
    prefetched: PrefetchedRecord | None = None

    @property
    def params(self) -> dict[str, str]:
        return dict(self.request.query_params or {})

    def body(self) -> object:
        """The request's JSON body, decoded by the one strict decoder within the body limit."""
        return json_body(self.request.raw_body, max_bytes=SETTINGS.max_body_bytes)


def json_response(body: Any, status: int = 200) -> Response:
    """The answer of a view; one too large to send is a 413 (lists were cut to fit before, and
    writes whose echo cannot fit are refused before writing: `core/budget.py`)."""
    text = dumps(body)
    budget.require_sendable(text, "ask for fewer records, or leave out depth=1")
    return Response(body=text, status_code=status, headers={"Content-Type": "application/json"})


# Methods that never change anything: all a 'read'-scoped key may send to the core API.
_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


# Which record, if any, a view will read by id: asked of the request and its path parameters.
Prefetch = Callable[[Request, dict[str, str]], RecordPrefetch | None]


def authenticated(
    current_request: Callable[[], Request], *, api: Api, prefetch: Prefetch | None = None
) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """Decorate a view of `api` ("core" or "metadata") taking (call: RestCall, **path params).

    Admission (`auth/admission.py`) checks the key's scope and rate before the workspace's model
    is loaded: a refused request reads and writes nothing. Writes run under their
    Idempotency-Key, if any (`idempotency/`). `prefetch` names a record the view reads by id:
    admission reads it in the same request as the key and the workspace (`call.prefetched`).
    """

    def decorate(view: Callable[..., Response]) -> Callable[..., Response]:
        @functools.wraps(view)
        def wrapper(**path_params: str) -> Response:
            try:
                request = current_request()
                writes = request.method not in _READ_METHODS
                wanted = prefetch(request, path_params) if prefetch is not None else None
                admission = admit(request, api=api, writes=writes, prefetch=wanted)
                model = admission.require_model()
                call = RestCall(request, admission.ctx, model, admission.prefetched)
                if writes:
                    return guard_rest_write(call, lambda: view(call, **path_params))
                return view(call, **path_params)
            except CrmError as exc:
                return error_response(exc)
            except Exception:  # noqa: BLE001 - the API never leaks a traceback
                return unexpected_error_response()

        return wrapper

    return decorate
