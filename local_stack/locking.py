"""One lock around the embedded DynamoDB, so each request is atomic as it is on AWS.

moto server answers requests on threads and takes no lock: two TransactWriteItems (or two
conditional writes) on one item could both pass their conditions, and a Query could iterate a
partition while a write resizes it. DynamoDB makes every transaction and conditional write
atomic, so the emulator serialises its operations on one re-entrant lock: a request handler
holds it for the whole request (parsing, the backend calls, the answer's serialisation), and
every public backend method takes it too, for callers in this process that bypass the handler
(persistence reads a consistent state under it).
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable
from typing import Any

LOCK = threading.RLock()

_LOCKED = "__local_stack_locked__"


def locked(method: Callable[..., Any]) -> Callable[..., Any]:
    """`method` run while holding LOCK (a method already wrapped is returned as it is)."""
    if getattr(method, _LOCKED, False):
        return method

    @functools.wraps(method)
    def call(*args: Any, **kwargs: Any) -> Any:
        with LOCK:
            return method(*args, **kwargs)

    setattr(call, _LOCKED, True)
    return call


def lock_public_methods(cls: type) -> None:
    """Wrap every public method defined on `cls` itself (what is there now: other patches
    installed earlier stay inside the wrapper)."""
    for name, member in list(vars(cls).items()):
        if name.startswith("_") or not inspect.isfunction(member):
            continue
        setattr(cls, name, locked(member))
