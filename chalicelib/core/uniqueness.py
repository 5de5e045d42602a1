"""Which values of a record are unique claims: `id` aside, every isUnique field's key part."""

from __future__ import annotations

from typing import Any

from chalicelib.metadata.model import FieldDef, FieldType, ObjectDef

# Composite fields take part in uniqueness through these sub-fields only (Twenty's
# "included in unique constraint" sub-fields); other composites cannot be unique.
_UNIQUE_SUBFIELDS: dict[FieldType, tuple[str, ...]] = {
    FieldType.EMAILS: ("primaryEmail",),
    FieldType.LINKS: ("primaryLinkUrl",),
    FieldType.PHONES: ("primaryPhoneNumber", "primaryPhoneCountryCode", "primaryPhoneCallingCode"),
}

Claim = tuple[str, str]  # (field path, value)


def claim_of(field: FieldDef, value: Any) -> Claim | None:
    """The (path, value) a value of unique `field` reserves; None when it reserves nothing."""
    subfields = _UNIQUE_SUBFIELDS.get(field.type)
    if subfields is None:
        if value is None or value == "" or isinstance(value, dict | list):
            return None
        return field.name, str(value)
    if not isinstance(value, dict):
        return None
    parts = [value.get(sub) for sub in subfields]
    # An empty primary value claims nothing: many people may have no email at all.
    if not parts[0]:
        return None
    path = f"{field.name}.{subfields[0]}"
    return path, "|".join("" if part is None else str(part) for part in parts)


def unique_claims(obj: ObjectDef, body: dict[str, Any]) -> list[Claim]:
    """The (field path, value) pairs this record body reserves."""
    claims = []
    for field in obj.unique_fields():
        claim = claim_of(field, body.get(field.name))
        if claim is not None:
            claims.append(claim)
    return claims
