"""Identifier rules for object and field names, and the names the generated APIs already use."""

from __future__ import annotations

import re
import unicodedata

from chalicelib.metadata.model import FieldDef, FieldType

MIN_LENGTH = 1
MAX_LENGTH = 63
_IDENTIFIER = re.compile(r"^[a-z][a-zA-Z0-9]*$")
# lodash's camelCase lower-cases every upper-case run after its first letter ("myURL" ->
# "myUrl"), so a name with two upper-case letters in a row is not in camelCase form.
_UPPER_RUN = re.compile(r"[A-Z]{2}")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Twenty's reserved keywords (its core tables and the words its schema builder relies on).
_TWENTY_RESERVED = _words(
    """
    user users workspace workspaces userWorkspace userWorkspaces role roles appToken appTokens
    featureFlag featureFlags keyValuePair keyValuePairs billingCustomer billingCustomers
    billingEntitlement billingEntitlements billingMeter billingMeters billingPrice billingPrices
    billingProduct billingProducts billingSubscription billingSubscriptions
    billingSubscriptionItem billingSubscriptionItems pageLayout pageLayouts pageLayoutTab
    pageLayoutTabs pageLayoutWidget pageLayoutWidgets postgresCredential postgresCredentials
    twoFactorMethod twoFactorMethods approvedAccessDomain approvedAccessDomains job jobs
    userWorkspaceRole userWorkspaceRoles plan plans event events field fields link links
    currency currencies fullName fullNames address addresses type types object objects index
    indexes relation relations aggregate
    """
)
# Words the generated APIs use themselves: REST path segments under /rest, GraphQL connection
# members and root names. An object or field named like one of them would shadow it.
_API_RESERVED = _words(
    """
    batch restore metadata openApi duplicates graphql rest healthz apiKey apiKeys webhook webhooks
    changes
    edges node nodes cursor pageInfo totalCount startCursor endCursor hasNextPage
    hasPreviousPage query mutation subscription schema data errors filter orderBy and or not
    """
)
RESERVED_NAMES = _TWENTY_RESERVED | _API_RESERVED

# The types the core schema generates per object: Pascal(nameSingular) + kind, with what each is.
TYPE_KINDS = {
    "": "record type",
    "Edge": "edge type",
    "Connection": "connection type",
    "CreateInput": "create input",
    "UpdateInput": "update input",
    "FilterInput": "filter input",
    "OrderByInput": "order-by input",
    "GroupByInput": "groupBy input",
    "OrderByWithGroupByInput": "groupBy order-by input",
    "OrderByWithGroupByAggregateInput": "groupBy aggregate order-by input",
    "GroupByConnection": "groupBy connection type",
    # Delta sync (`<plural>Changes`): one change, and a page of them with the next token.
    "Change": "change type",
    "Changes": "changes page type",
}
# Root mutations per object, each in a one-record (singular) and a many-record (plural) form.
MUTATION_VERBS = ("create", "update", "delete", "destroy", "restore")
QUERY_VERBS = ("findMany", "findOne", "findDuplicates")
# Verbs whose names stay taken in both forms although only one is served: `merge<Plural>` is
# (core/merge.py), `merge<Singular>` is Twenty's name too and stays free of objects' names.
_UNSERVED_VERBS = ("merge",)
# Field types whose values are a per-field enum `<Object><Field>Enum` in the core schema.
ENUM_FIELD_TYPES = frozenset({FieldType.SELECT, FieldType.MULTI_SELECT, FieldType.RATING})

_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")


def pascal(name: str) -> str:
    """Twenty's capitalize: the first letter upper-cased, the rest untouched."""
    return name[:1].upper() + name[1:]


def identifier_problems(what: str, name: object) -> list[str]:
    """Why `name` cannot name an object or field (empty when it can); `what` names it in errors."""
    if not isinstance(name, str) or not name:
        return [f"{what} is required and must be a non-empty string"]
    problems = []
    if not MIN_LENGTH <= len(name) <= MAX_LENGTH:
        problems.append(f"{what} '{name}' must be {MIN_LENGTH} to {MAX_LENGTH} characters long")
    if not _IDENTIFIER.match(name) or _UPPER_RUN.search(name):
        problems.append(
            f"{what} '{name}' should be in camelCase: a lower-case letter, then letters and "
            "digits, without two upper-case letters in a row"
        )
    if name in RESERVED_NAMES:
        problems.append(f"{what} '{name}' is reserved")
    return problems


def object_type_name(name_singular: str, kind: str = "") -> str:
    """`Company`, `CompanyEdge`, `CompanyFilterInput`... (a TYPE_KINDS key after the name)."""
    return pascal(name_singular) + kind


def field_enum_name(object_singular: str, field_name: str) -> str:
    """The enum of a SELECT, MULTI_SELECT or RATING field: `<Object><Field>Enum`."""
    return f"{pascal(object_singular)}{pascal(field_name)}Enum"


def operation_name(verb: str, name_singular: str, name_plural: str, *, many: bool) -> str:
    """`companies`, `company`, `companyDuplicates`, `createCompany` / `createCompanies`."""
    if verb == "findMany":
        return name_plural
    if verb == "findOne":
        return name_singular
    if verb == "findDuplicates":
        return f"{name_singular}Duplicates"
    return verb + pascal(name_plural if many else name_singular)


def object_graphql_names(name_singular: str, name_plural: str) -> list[tuple[str, str]]:
    """Every type and root-field name the core schema derives from an object's names, with what
    it names; a name listed twice would name two things."""
    found = [(object_type_name(name_singular, kind), what) for kind, what in TYPE_KINDS.items()]
    found += [
        (operation_name(verb, name_singular, name_plural, many=True), f"{verb} query")
        for verb in QUERY_VERBS
    ]
    for verb in (*MUTATION_VERBS, *_UNSERVED_VERBS):
        found += [
            (operation_name(verb, name_singular, name_plural, many=many), f"{verb} mutation")
            for many in (False, True)
        ]
    found.append((f"{name_plural}GroupBy", "groupBy query"))
    found.append((f"{name_plural}Changes", "changes query"))
    return found


def field_graphql_names(object_singular: str, field: FieldDef) -> list[tuple[str, str]]:
    """The type names the core schema derives from a field: a SELECT, MULTI_SELECT or RATING
    field's enum and the filter input of that enum (`<value type>Filter`, as every filter)."""
    if field.type not in ENUM_FIELD_TYPES:
        return []
    enum = field_enum_name(object_singular, field.name)
    return [(enum, "enum"), (f"{enum}Filter", "enum filter input")]


def generated_names(name_singular: str, name_plural: str) -> set[str]:
    """Every GraphQL type and root-field name the core schema derives from an object's names."""
    return {name for name, _ in object_graphql_names(name_singular, name_plural)}


def name_from_label(label: str) -> str:
    """Twenty's computeMetadataNameFromLabel: ASCII letters and digits, camel-cased."""
    ascii_text = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    # lodash's word split: upper-case runs, capitalised or lower-case words, digit runs.
    words = [word.lower() for word in _WORD.findall(ascii_text)]
    if not words:
        return ""
    name = words[0] + "".join(pascal(word) for word in words[1:])
    return f"n{pascal(name)}" if name[0].isdigit() else name


def same_ignoring_case(first: str, second: str) -> bool:
    return first.strip().casefold() == second.strip().casefold()
