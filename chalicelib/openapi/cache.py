"""Generated documents kept per container, as JSON text: a workspace's core document per
(workspace, metadata version, base URL), so a model change is seen on the next request."""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable, Hashable
from threading import Lock
from typing import Any

_SIZE = 64  # documents per warm container; a large model's core document is a few hundred KB

_documents: OrderedDict[Hashable, str] = OrderedDict()
_lock = Lock()


def document_text(key: Hashable, build: Callable[[], dict[str, Any]]) -> str:
    """The cached text of `key`, or `build()` serialised and kept (a race builds it twice)."""
    with _lock:
        found = _documents.get(key)
        if found is not None:
            _documents.move_to_end(key)
            return found
    text = json.dumps(build(), separators=(",", ":"))
    with _lock:
        _documents[key] = text
        while len(_documents) > _SIZE:
            _documents.popitem(last=False)
    return text


def clear() -> None:
    with _lock:
        _documents.clear()
