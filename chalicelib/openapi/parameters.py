"""The shared query and path parameters of the REST core API (`components.parameters`)."""

from __future__ import annotations

from typing import Any

from chalicelib.openapi.values import RECORD_ID
from chalicelib.settings import SETTINGS

Parameter = dict[str, Any]

FILTER_GRAMMAR = """\
Records to keep. Grammar:

```
filter     := group | list            (a bare list means and(list))
group      := ("and" | "or" | "not") "(" list ")"     (not takes exactly one item)
list       := item ("," item)*
item       := group | condition
condition  := path "[" comparator "]" ":" value
path       := field ("." subField)?   (composite sub-fields: name.firstName)
comparator := eq | neq | in | containsAny | is | gt | gte | lt | lte
              | startsWith | endsWith | like | ilike
value      := "quoted" | bare | "[" v ("," v)* "]"   (a list only for in / containsAny)
```

`is` takes `NULL` or `NOT_NULL`; `like`/`ilike` use `%` wildcards; quote strings and dates,
not numbers. Relations are filtered through their join column (`companyId[eq]:<id>`).
Soft-deleted records are only returned when the filter names `deletedAt`.
Examples: `name[ilike]:"%acme%"`, `or(stage[eq]:NEW,amount.amountMicros[gt]:1000000)`,
`and(createdAt[gte]:"2024-01-01",not(city[is]:NULL))`, `id[in]:[<uuid1>,<uuid2>]`."""

ORDER_BY = """\
Comma-separated sort keys, each `field` or `field[Direction]` (dotted for sub-fields:
`name.lastName[AscNullsLast]`). Directions: `AscNullsFirst` (default), `AscNullsLast`,
`DescNullsFirst`, `DescNullsLast`. `id` is always the last tiebreaker."""


def _query(name: str, schema: dict[str, Any], description: str, **extra: Any) -> Parameter:
    return {"name": name, "in": "query", "schema": schema, "description": description, **extra}


def core_parameters() -> dict[str, Parameter]:
    """By component name (Twenty's names); each route references the ones it reads."""
    return {
        "idPath": {
            "name": "id",
            "in": "path",
            "required": True,
            "schema": RECORD_ID,
            "description": "The record's id (a UUID of version 1 to 5)",
        },
        "filter": _query("filter", {"type": "string"}, FILTER_GRAMMAR, allowReserved=True),
        "filterRequired": _query(
            "filter",
            {"type": "string", "minLength": 1},
            "Required here: a bulk delete without a filter is refused (400).\n\n" + FILTER_GRAMMAR,
            required=True,
            allowReserved=True,
        ),
        "orderBy": _query("order_by", {"type": "string"}, ORDER_BY, allowReserved=True),
        "limit": _query(
            "limit",
            {"type": "integer", "minimum": 0, "default": SETTINGS.page_default},
            f"Records per page; default {SETTINGS.page_default}, a larger value than "
            f"{SETTINGS.page_max} is read as {SETTINGS.page_max}",
        ),
        "depth": _query(
            "depth",
            {"type": "integer", "enum": [0, 1], "default": 0},
            "0: the records' own fields, many-to-one relations as their join column "
            "(`companyId`). 1: also every relation embedded, many-to-one as the related "
            "record, one-to-many as an array of at most 60 records",
        ),
        "startingAfter": _query(
            "starting_after",
            {"type": "string", "format": "uuid"},
            "Returns the records after this cursor: a `pageInfo.endCursor` of the same list "
            "(a record id). Not together with `ending_before`",
        ),
        "endingBefore": _query(
            "ending_before",
            {"type": "string", "format": "uuid"},
            "Returns the records before this cursor: a `pageInfo.startCursor` of the same list "
            "(a record id). Not together with `starting_after`",
        ),
        "upsert": _query(
            "upsert",
            {"type": "boolean", "default": False},
            "true: a record matching an existing one by `id` or by a unique field is updated "
            "instead of created",
        ),
        "softDelete": _query(
            "soft_delete",
            {"type": "boolean", "default": False},
            "false (default): destroy for good; true: soft delete (sets `deletedAt`, restorable)",
        ),
        "fields": _query(
            "fields",
            {"type": "string", "minLength": 1},
            "Comma-separated fields to return (`id` always): composites whole, a many-to-one "
            "relation as its join column (and the record with depth=1), a one-to-many relation "
            "only with depth=1. An unknown name is a 400",
        ),
    }


def group_by_parameters() -> list[Parameter]:
    """The parameters of `GET /{plural}/groupBy`, inline: `order_by` means something else here."""
    return [
        _query(
            "group_by",
            {"type": "string"},
            'A JSON array of the dimensions, e.g. `[{"stage": true}, {"createdAt": '
            '{"granularity": "MONTH"}}]`; granularities DAY, WEEK, MONTH, QUARTER, YEAR, '
            "DAY_OF_THE_WEEK, MONTH_OF_THE_YEAR, QUARTER_OF_THE_YEAR",
            required=True,
        ),
        _query(
            "aggregate",
            {"type": "string"},
            'A JSON array of aggregate names, e.g. `["countNotEmptyId", "sumAmountAmountMicros"]`',
        ),
        _query(
            "order_by",
            {"type": "string"},
            'A JSON array, e.g. `[{"aggregate": {"totalCount": "DescNullsLast"}}, '
            '{"stage": "AscNullsFirst"}]`',
        ),
        {"$ref": "#/components/parameters/filter"},
        _query(
            "limit",
            {"type": "integer", "minimum": 0, "default": 50},
            f"Groups to return; default 50, at most {SETTINGS.page_max}",
        ),
        _query(
            "include_records_sample",
            {"type": "boolean", "default": False},
            "true: up to 10 records per group, under `records`",
        ),
        _query(
            "order_by_for_records",
            {"type": "string"},
            'A JSON array ordering the sample records, e.g. `[{"name": "AscNullsFirst"}]`',
        ),
    ]


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/parameters/{name}"}
