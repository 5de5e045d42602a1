"""Making an existing field unique: refuse if live records already share a value, else reserve
a uniqueness guard for every value they hold, so that later writes are checked against them."""

from __future__ import annotations

from collections import defaultdict

from chalicelib.core import plan as ops
from chalicelib.core.ports import RecordStore
from chalicelib.core.uniqueness import claim_of
from chalicelib.errors import MetadataValidationError
from chalicelib.metadata.model import FieldDef, ObjectDef
from chalicelib.storage import keys, metadata_store

_SHOWN_CLASHES = 5


def claim_existing_values(
    store: RecordStore, workspace_id: str, obj: ObjectDef, field: FieldDef, *, scan_cap: int
) -> None:
    """Reserve `field`'s values of every live record of `obj` (soft-deleted records hold none)."""
    records, complete = store.scan(workspace_id, obj.id, include_deleted=False, max_items=scan_cap)
    if not complete:
        raise MetadataValidationError(
            f"'{obj.name_plural}' has more than {scan_cap} records: '{field.name}' cannot be "
            "checked for duplicates in one request"
        )
    holders: dict[tuple[str, str], list[str]] = defaultdict(list)
    for record in records:
        claim = claim_of(field, record.body.get(field.name))
        if claim is not None:
            holders[claim].append(record.id)
    clashes = [(value, ids) for (_, value), ids in holders.items() if len(ids) > 1]
    if clashes:
        shown = "; ".join(
            f"'{value}' ({len(ids)} records)" for value, ids in clashes[:_SHOWN_CLASHES]
        )
        raise MetadataValidationError(
            f"'{field.name}' cannot be unique: existing records share values: {shown}"
        )
    if holders:
        path = next(iter(holders))[0]
        # No guard of this path can be live while the field is not unique: clear leftovers of
        # an earlier time it was, so that they cannot refuse the reservations below.
        pk = keys.unique_pk(workspace_id, obj.id)
        while metadata_store.delete_partition_page(pk, sk_prefix=f"{path}#"):
            pass
    units = tuple(
        ops.Unit((ops.ReserveUnique(obj.id, path, value, ids[0]),))
        for (path, value), ids in holders.items()
    )
    # A clash created by a concurrent write makes the plan fail as a whole (409), undone.
    if units:
        store.execute(workspace_id, ops.Plan(units))
