"""Which records a many-record command may touch: the client's filter within a deletion scope."""

from __future__ import annotations

from enum import StrEnum

from chalicelib.core.filters import And, Condition, Filter, Operator, Or
from chalicelib.core.ports import StoredRecord


class Scope(StrEnum):
    # Read semantics: soft-deleted records count only when the filter targets deletedAt.
    VISIBLE = "visible"
    LIVE = "live"
    DELETED = "deleted"
    ANY = "any"


_LIVE = Condition(("deletedAt",), Operator.IS, "NULL")
_DELETED = Condition(("deletedAt",), Operator.IS, "NOT_NULL")
# Mentions deletedAt, so the engine reads soft-deleted records too, and matches every record.
_ANY = Or((_LIVE, _DELETED))
_GUARDS: dict[Scope, Filter | None] = {
    Scope.VISIBLE: None,
    Scope.LIVE: _LIVE,
    Scope.DELETED: _DELETED,
    Scope.ANY: _ANY,
}


def scoped_filter(raw: Filter | None, scope: Scope) -> Filter | None:
    """`raw` restricted to `scope`, still raw (the engine validates it with the rest)."""
    guard = _GUARDS[scope]
    if guard is None or raw is None:
        return raw if guard is None else guard
    return And((raw, guard))


def in_scope(record: StoredRecord, scope: Scope) -> bool:
    """Whether a record named by id belongs to `scope` (by id, VISIBLE means live)."""
    if scope is Scope.ANY:
        return True
    if scope is Scope.DELETED:
        return record.deleted_at is not None
    return record.deleted_at is None
