"""Names in the documents, derived from the object's names as Twenty derives them."""

from __future__ import annotations

from chalicelib.metadata.model import ObjectDef


def pascal(name: str) -> str:
    """Twenty's `capitalize`: upper-case the first letter only (`taskTarget` -> `TaskTarget`)."""
    return name[:1].upper() + name[1:]


def create_schema(obj: ObjectDef) -> str:
    return pascal(obj.name_singular)


def update_schema(obj: ObjectDef) -> str:
    return f"{pascal(obj.name_singular)}ForUpdate"


def response_schema(obj: ObjectDef) -> str:
    return f"{pascal(obj.name_singular)}ForResponse"


def schema_ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def operation_id(verb: str, obj: ObjectDef) -> str:
    """Twenty's operationIds: `findManyCompanies`, `findOneCompany`, `createOneCompany`,
    `createManyCompanies`, `UpdateOneCompany` (sic: Twenty capitalises this one),
    `updateManyCompanies`, `deleteOneCompany`, `deleteManyCompanies`, `findCompanyDuplicates`,
    `restoreOneCompany`, `restoreManyCompanies`, `mergeManyCompanies`; plus `groupByCompanies`
    for the group-by route, which Twenty's document leaves out."""
    singular, plural = pascal(obj.name_singular), pascal(obj.name_plural)
    return _OPERATION_IDS[verb].format(singular=singular, plural=plural)


_OPERATION_IDS = {
    "findMany": "findMany{plural}",
    "findOne": "findOne{singular}",
    "createOne": "createOne{singular}",
    "createMany": "createMany{plural}",
    "updateOne": "UpdateOne{singular}",
    "updateMany": "updateMany{plural}",
    "deleteOne": "deleteOne{singular}",
    "deleteMany": "deleteMany{plural}",
    "findDuplicates": "find{singular}Duplicates",
    "restoreOne": "restoreOne{singular}",
    "restoreMany": "restoreMany{plural}",
    "mergeMany": "mergeMany{plural}",
    "groupBy": "groupBy{plural}",
}
