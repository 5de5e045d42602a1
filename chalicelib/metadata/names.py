"""Identifier rules for object and field names, and the names the generated APIs already use."""

from __future__ import annotations

import re
import unicodedata

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
    edges node nodes cursor pageInfo totalCount startCursor endCursor hasNextPage
    hasPreviousPage query mutation subscription schema data errors filter orderBy and or not
    """
)
RESERVED_NAMES = _TWENTY_RESERVED | _API_RESERVED

# GraphQL types the core schema defines once for every workspace; an object whose Pascal-cased
# singular equals one of them would give two types the same name.
SHARED_TYPE_NAMES = _words(
    """
    Query Mutation PageInfo FullName Currency Links Emails Phones Address Actor RichTextV2
    LinkMetadata PhoneMetadata UUID DateTime Date RawJSON BigFloat Position ConnectionCursor
    OrderByDirection FilterIs Boolean String Int Float ID
    """
)
_TYPE_SUFFIXES = (
    "",
    "Edge",
    "Connection",
    "CreateInput",
    "UpdateInput",
    "FilterInput",
    "OrderByInput",
)
_MUTATION_VERBS = ("create", "update", "delete", "destroy", "restore", "merge")
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


def generated_names(name_singular: str, name_plural: str) -> set[str]:
    """Every GraphQL type and root-field name the core schema derives from an object's names."""
    singular, plural = pascal(name_singular), pascal(name_plural)
    names = {singular + suffix for suffix in _TYPE_SUFFIXES}
    names |= {name_singular, name_plural, f"{name_singular}Duplicates", f"{name_plural}GroupBy"}
    for verb in _MUTATION_VERBS:
        names |= {verb + singular, verb + plural}
    return names


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
