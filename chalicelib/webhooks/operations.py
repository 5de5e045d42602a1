"""Webhook operations: the `<object>.<action>` patterns a webhook subscribes to (reference 11.2).

A pattern is `<nameSingular>.<action>` where either part may be `*`: `company.created`,
`*.updated`, `person.*`, `*.*`. Matching is exact and case-sensitive, as in Twenty.
"""

from __future__ import annotations

from typing import Any

from chalicelib.errors import InvalidRequestBodyError
from chalicelib.metadata.model import WorkspaceModel
from chalicelib.webhooks.model import ACTIONS

WILDCARD = "*"
DEFAULT_OPERATIONS = ("*.*",)
# Far more than any real subscription needs (one per object and action of a large model is a
# few hundred); each webhook is read by every stream batch of its workspace.
MAX_OPERATIONS = 500


def matches(operations: tuple[str, ...], event_name: str) -> bool:
    """Whether a webhook with `operations` receives the event `event_name` (`person.updated`):
    its exact name, `*.<action>`, `<object>.*` or `*.*`."""
    object_name, _, action = event_name.partition(".")
    wanted = {
        event_name,
        f"{WILDCARD}.{action}",
        f"{object_name}.{WILDCARD}",
        f"{WILDCARD}.{WILDCARD}",
    }
    return any(operation in wanted for operation in operations)


def validate_operations(model: WorkspaceModel, raw: Any) -> tuple[str, ...]:
    """The operations of a create or update input, checked against the workspace's objects
    (active or not: a deactivated object may come back) and the known actions; duplicates are
    dropped, order kept. A 400 names every pattern that is wrong."""
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        raise InvalidRequestBodyError("operations must be a list of strings")
    if not raw:
        raise InvalidRequestBodyError(
            "operations must name at least one pattern, e.g. ['*.*'] for every event"
        )
    if len(raw) > MAX_OPERATIONS:
        raise InvalidRequestBodyError(f"operations may hold at most {MAX_OPERATIONS} patterns")
    objects = {obj.name_singular for obj in model.objects}
    problems = [
        problem for operation in raw if (problem := _problem(operation, objects)) is not None
    ]
    if problems:
        raise InvalidRequestBodyError(messages=list(dict.fromkeys(problems)))
    return tuple(dict.fromkeys(raw))


def _problem(operation: str, objects: set[str]) -> str | None:
    object_name, dot, action = operation.partition(".")
    if not dot or "." in action or not object_name or not action:
        return (
            f"operation '{operation[:100]}' must have the form <object>.<action>, "
            "e.g. 'company.created', 'person.*' or '*.*'"
        )
    if object_name != WILDCARD and object_name not in objects:
        return f"operation '{operation[:100]}' names an unknown object '{object_name[:100]}'"
    if action != WILDCARD and action not in ACTIONS:
        return (
            f"operation '{operation[:100]}' names an unknown action '{action[:100]}'; "
            f"expected one of {', '.join(ACTIONS)} or *"
        )
    return None
