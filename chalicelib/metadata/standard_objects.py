"""Declarative spec of the standard objects every workspace gets, and the relations between them.

The spec holds no ids or timestamps; ``builder.py`` turns it into model values.

Default values use Twenty's metadata form, so they serialize exactly as Twenty's metadata API
shows them:

* scalar text-like values (TEXT, SELECT, the text sub-fields of composites) are SQL-style quoted
  literals: ``"''"``, ``"'NEW'"``;
* BOOLEAN and NUMBER defaults are plain JSON values (``False``, ``0``);
* server-side functions are bare words: ``"uuid"`` (UUID) and ``"now"`` (DATE_TIME);
* composites are a dict with every sub-field, each in the scalar form above, ``None`` for
  numeric and JSON sub-fields (``amountMicros``, ``secondaryLinks``, ...);
* ``None`` means "no default".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.metadata.model import FieldType, SelectOption


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    label: str
    type: FieldType
    icon: str | None = None
    description: str | None = None
    is_nullable: bool = True
    is_unique: bool = False
    is_system: bool = False
    default_value: Any = None
    # Options carry no ids here; the builder gives each a fresh one.
    options: tuple[SelectOption, ...] = ()
    settings: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class ObjectSpec:
    name_singular: str
    name_plural: str
    label_singular: str
    label_plural: str
    fields: tuple[FieldSpec, ...]
    description: str | None = None
    icon: str | None = None
    is_system: bool = False
    # Name of the field shown as the record's title; None falls back to `id`, as in Twenty.
    label_identifier: str | None = None


@dataclass(frozen=True, slots=True)
class RelationSpec:
    """A MANY_TO_ONE field on `source` and its ONE_TO_MANY inverse on `target` (by nameSingular)."""

    source: str
    name: str
    label: str
    target: str
    inverse_name: str
    inverse_label: str
    icon: str | None = None
    inverse_icon: str | None = None
    description: str | None = None
    inverse_description: str | None = None
    on_delete: str = "SET_NULL"


def _options(*entries: tuple[str, str, str]) -> tuple[SelectOption, ...]:
    """(value, label, color) triples -> options positioned in the order given."""
    return tuple(
        SelectOption(value=value, label=label, position=position, color=color)
        for position, (value, label, color) in enumerate(entries)
    )


def _quoted(value: str) -> str:
    return f"'{value}'"


EMPTY_TEXT = _quoted("")

FULL_NAME_DEFAULT = {"firstName": EMPTY_TEXT, "lastName": EMPTY_TEXT}
LINKS_DEFAULT = {
    "primaryLinkUrl": EMPTY_TEXT,
    "primaryLinkLabel": EMPTY_TEXT,
    "secondaryLinks": None,
}
EMAILS_DEFAULT = {"primaryEmail": EMPTY_TEXT, "additionalEmails": None}
PHONES_DEFAULT = {
    "primaryPhoneNumber": EMPTY_TEXT,
    "primaryPhoneCountryCode": EMPTY_TEXT,
    "primaryPhoneCallingCode": EMPTY_TEXT,
    "additionalPhones": None,
}
CURRENCY_DEFAULT = {"amountMicros": None, "currencyCode": EMPTY_TEXT}
ADDRESS_DEFAULT = {
    "addressStreet1": EMPTY_TEXT,
    "addressStreet2": EMPTY_TEXT,
    "addressCity": EMPTY_TEXT,
    "addressPostcode": EMPTY_TEXT,
    "addressState": EMPTY_TEXT,
    "addressCountry": EMPTY_TEXT,
    "addressLat": None,
    "addressLng": None,
}
RICH_TEXT_V2_DEFAULT = {"blocknote": None, "markdown": None}


COMPANY = ObjectSpec(
    name_singular="company",
    name_plural="companies",
    label_singular="Company",
    label_plural="Companies",
    description="A company",
    icon="IconBuildingSkyscraper",
    label_identifier="name",
    fields=(
        FieldSpec(
            "name",
            "Name",
            FieldType.TEXT,
            "IconBuildingSkyscraper",
            "The company name",
            default_value=EMPTY_TEXT,
        ),
        FieldSpec(
            "domainName",
            "Domain Name",
            FieldType.LINKS,
            "IconLink",
            "The company website URL. We use this url to fetch the company icon",
            is_unique=True,
            default_value=LINKS_DEFAULT,
        ),
        FieldSpec(
            "employees",
            "Employees",
            FieldType.NUMBER,
            "IconUsers",
            "Number of employees in the company",
            settings={"dataType": "int"},
        ),
        FieldSpec(
            "linkedinLink",
            "Linkedin",
            FieldType.LINKS,
            "IconBrandLinkedin",
            "The company Linkedin account",
            default_value=LINKS_DEFAULT,
        ),
        FieldSpec(
            "xLink",
            "X",
            FieldType.LINKS,
            "IconBrandX",
            "The company Twitter/X account",
            default_value=LINKS_DEFAULT,
        ),
        FieldSpec(
            "annualRecurringRevenue",
            "ARR",
            FieldType.CURRENCY,
            "IconMoneybag",
            "Annual Recurring Revenue: The actual or estimated annual revenue of the company",
            default_value=CURRENCY_DEFAULT,
        ),
        FieldSpec(
            "address",
            "Address",
            FieldType.ADDRESS,
            "IconMap",
            "Address of the company",
            default_value=ADDRESS_DEFAULT,
        ),
        FieldSpec(
            "idealCustomerProfile",
            "ICP",
            FieldType.BOOLEAN,
            "IconTarget",
            "Ideal Customer Profile: Indicates whether the company is the most suitable "
            "and valuable customer for you",
            is_nullable=False,
            default_value=False,
        ),
    ),
)

PERSON = ObjectSpec(
    name_singular="person",
    name_plural="people",
    label_singular="Person",
    label_plural="People",
    description="A person",
    icon="IconUser",
    label_identifier="name",
    fields=(
        FieldSpec(
            "name",
            "Name",
            FieldType.FULL_NAME,
            "IconUser",
            "Contact's name",
            default_value=FULL_NAME_DEFAULT,
        ),
        FieldSpec(
            "emails",
            "Emails",
            FieldType.EMAILS,
            "IconMail",
            "Contact's Emails",
            is_unique=True,
            default_value=EMAILS_DEFAULT,
        ),
        FieldSpec(
            "linkedinLink",
            "Linkedin",
            FieldType.LINKS,
            "IconBrandLinkedin",
            "Contact's Linkedin account",
            default_value=LINKS_DEFAULT,
        ),
        FieldSpec(
            "xLink",
            "X",
            FieldType.LINKS,
            "IconBrandX",
            "Contact's X/Twitter account",
            default_value=LINKS_DEFAULT,
        ),
        FieldSpec(
            "jobTitle",
            "Job Title",
            FieldType.TEXT,
            "IconBriefcase",
            "Contact's job title",
            default_value=EMPTY_TEXT,
        ),
        FieldSpec(
            "phones",
            "Phones",
            FieldType.PHONES,
            "IconPhone",
            "Contact's phone numbers",
            default_value=PHONES_DEFAULT,
        ),
        FieldSpec(
            "city", "City", FieldType.TEXT, "IconMap", "Contact's city", default_value=EMPTY_TEXT
        ),
        FieldSpec(
            "avatarUrl",
            "Avatar",
            FieldType.TEXT,
            "IconFileUpload",
            "Contact's avatar",
            is_system=True,
            default_value=EMPTY_TEXT,
        ),
    ),
)

OPPORTUNITY = ObjectSpec(
    name_singular="opportunity",
    name_plural="opportunities",
    label_singular="Opportunity",
    label_plural="Opportunities",
    description="An opportunity",
    icon="IconTargetArrow",
    label_identifier="name",
    fields=(
        FieldSpec(
            "name",
            "Name",
            FieldType.TEXT,
            "IconTargetArrow",
            "The opportunity name",
            default_value=EMPTY_TEXT,
        ),
        FieldSpec(
            "amount",
            "Amount",
            FieldType.CURRENCY,
            "IconCurrencyDollar",
            "Opportunity amount",
            default_value=CURRENCY_DEFAULT,
        ),
        FieldSpec(
            "closeDate",
            "Close date",
            FieldType.DATE_TIME,
            "IconCalendarEvent",
            "Opportunity close date",
        ),
        FieldSpec(
            "stage",
            "Stage",
            FieldType.SELECT,
            "IconProgressCheck",
            "Opportunity stage",
            default_value=_quoted("NEW"),
            options=_options(
                ("NEW", "New", "red"),
                ("SCREENING", "Screening", "purple"),
                ("MEETING", "Meeting", "sky"),
                ("PROPOSAL", "Proposal", "turquoise"),
                ("CUSTOMER", "Customer", "yellow"),
            ),
        ),
    ),
)

NOTE = ObjectSpec(
    name_singular="note",
    name_plural="notes",
    label_singular="Note",
    label_plural="Notes",
    description="A note",
    icon="IconNotes",
    label_identifier="title",
    fields=(
        FieldSpec(
            "title", "Title", FieldType.TEXT, "IconNotes", "Note title", default_value=EMPTY_TEXT
        ),
        FieldSpec(
            "bodyV2",
            "Body",
            FieldType.RICH_TEXT_V2,
            "IconFilePencil",
            "Note body",
            default_value=RICH_TEXT_V2_DEFAULT,
        ),
    ),
)

TASK = ObjectSpec(
    name_singular="task",
    name_plural="tasks",
    label_singular="Task",
    label_plural="Tasks",
    description="A task",
    icon="IconCheckbox",
    label_identifier="title",
    fields=(
        FieldSpec(
            "title", "Title", FieldType.TEXT, "IconNotes", "Task title", default_value=EMPTY_TEXT
        ),
        FieldSpec(
            "bodyV2",
            "Body",
            FieldType.RICH_TEXT_V2,
            "IconFilePencil",
            "Task body",
            default_value=RICH_TEXT_V2_DEFAULT,
        ),
        FieldSpec("dueAt", "Due Date", FieldType.DATE_TIME, "IconCalendarEvent", "Task due date"),
        FieldSpec(
            "status",
            "Status",
            FieldType.SELECT,
            "IconProgressCheck",
            "Task status",
            default_value=_quoted("TODO"),
            options=_options(
                ("TODO", "To do", "sky"),
                ("IN_PROGRESS", "In progress", "purple"),
                ("DONE", "Done", "green"),
            ),
        ),
    ),
)

NOTE_TARGET = ObjectSpec(
    name_singular="noteTarget",
    name_plural="noteTargets",
    label_singular="Note Target",
    label_plural="Note Targets",
    description="A note target",
    icon="IconNotes",
    fields=(),
)

TASK_TARGET = ObjectSpec(
    name_singular="taskTarget",
    name_plural="taskTargets",
    label_singular="Task Target",
    label_plural="Task Targets",
    description="A task target",
    icon="IconCheckbox",
    fields=(),
)

WORKSPACE_MEMBER = ObjectSpec(
    name_singular="workspaceMember",
    name_plural="workspaceMembers",
    label_singular="Workspace Member",
    label_plural="Workspace Members",
    description="A workspace member",
    icon="IconUserCircle",
    is_system=True,
    label_identifier="name",
    fields=(
        FieldSpec(
            "name",
            "Name",
            FieldType.FULL_NAME,
            "IconCircleUsers",
            "Workspace member name",
            default_value=FULL_NAME_DEFAULT,
        ),
        FieldSpec(
            "userEmail",
            "User Email",
            FieldType.TEXT,
            "IconMail",
            "Related user email address",
            default_value=EMPTY_TEXT,
        ),
        FieldSpec("userId", "User Id", FieldType.UUID, "IconCircleUsers", "Associated User Id"),
        FieldSpec(
            "avatarUrl",
            "Avatar Url",
            FieldType.TEXT,
            "IconFileUpload",
            "Workspace member avatar",
            default_value=EMPTY_TEXT,
        ),
        FieldSpec(
            "colorScheme",
            "Color Scheme",
            FieldType.TEXT,
            "IconColorSwatch",
            "Preferred color scheme",
            default_value=_quoted("System"),
        ),
        FieldSpec(
            "locale",
            "Language",
            FieldType.TEXT,
            "IconLanguage",
            "Preferred language",
            default_value=_quoted("en"),
        ),
        FieldSpec(
            "timeZone",
            "Time zone",
            FieldType.TEXT,
            "IconTimezone",
            "User time zone",
            default_value=_quoted("system"),
        ),
        FieldSpec(
            "dateFormat",
            "Date format",
            FieldType.SELECT,
            "IconCalendarEvent",
            "User's preferred date format",
            default_value=_quoted("SYSTEM"),
            options=_options(
                ("SYSTEM", "System", "turquoise"),
                ("MONTH_FIRST", "Month First", "red"),
                ("DAY_FIRST", "Day First", "purple"),
                ("YEAR_FIRST", "Year First", "sky"),
            ),
        ),
        FieldSpec(
            "timeFormat",
            "Time format",
            FieldType.SELECT,
            "IconClock2",
            "User's preferred time format",
            default_value=_quoted("SYSTEM"),
            options=_options(
                ("SYSTEM", "System", "sky"),
                ("HOUR_12", "12h", "red"),
                ("HOUR_24", "24h", "purple"),
            ),
        ),
    ),
)

STANDARD_OBJECTS: tuple[ObjectSpec, ...] = (
    COMPANY,
    PERSON,
    OPPORTUNITY,
    NOTE,
    TASK,
    NOTE_TARGET,
    TASK_TARGET,
    WORKSPACE_MEMBER,
)


def _target_relations(
    junction: str,
    owner: str,
    owner_label: str,
    owner_icon: str,
    inverse_name: str,
    inverse_label: str,
) -> tuple[RelationSpec, ...]:
    """A note/task junction: CASCADE to its owner, SET_NULL to each record it is attached to."""
    return (
        RelationSpec(
            junction,
            owner,
            owner_label,
            owner,
            inverse_name,
            "Relations",
            icon=owner_icon,
            inverse_icon="IconArrowUpRight",
            description=f"{junction} {owner_label.lower()}",
            inverse_description=f"{owner_label} targets",
            on_delete="CASCADE",
        ),
        RelationSpec(
            junction,
            "person",
            "Person",
            "person",
            inverse_name,
            inverse_label,
            icon="IconUser",
            inverse_icon=owner_icon,
            description=f"{junction} person",
            inverse_description=f"{inverse_label} tied to the contact",
        ),
        RelationSpec(
            junction,
            "company",
            "Company",
            "company",
            inverse_name,
            inverse_label,
            icon="IconBuildingSkyscraper",
            inverse_icon=owner_icon,
            description=f"{junction} company",
            inverse_description=f"{inverse_label} tied to the company",
        ),
        RelationSpec(
            junction,
            "opportunity",
            "Opportunity",
            "opportunity",
            inverse_name,
            inverse_label,
            icon="IconTargetArrow",
            inverse_icon=owner_icon,
            description=f"{junction} opportunity",
            inverse_description=f"{inverse_label} tied to the opportunity",
        ),
    )


STANDARD_RELATIONS: tuple[RelationSpec, ...] = (
    RelationSpec(
        "company",
        "accountOwner",
        "Account Owner",
        "workspaceMember",
        "accountOwnerForCompanies",
        "Account Owner For Companies",
        icon="IconUserCircle",
        inverse_icon="IconBriefcase",
        description="Your team member responsible for managing the company account",
        inverse_description="Account owner for companies",
    ),
    RelationSpec(
        "person",
        "company",
        "Company",
        "company",
        "people",
        "People",
        icon="IconBuildingSkyscraper",
        inverse_icon="IconUsers",
        description="Contact's company",
        inverse_description="People linked to the company",
    ),
    RelationSpec(
        "opportunity",
        "pointOfContact",
        "Point of Contact",
        "person",
        "pointOfContactForOpportunities",
        "Linked Opportunities",
        icon="IconUser",
        inverse_icon="IconTargetArrow",
        description="Opportunity point of contact",
        inverse_description="List of opportunities for which that person is the point of contact",
    ),
    RelationSpec(
        "opportunity",
        "company",
        "Company",
        "company",
        "opportunities",
        "Opportunities",
        icon="IconBuildingSkyscraper",
        inverse_icon="IconTargetArrow",
        description="Opportunity company",
        inverse_description="Opportunities linked to the company",
    ),
    RelationSpec(
        "task",
        "assignee",
        "Assignee",
        "workspaceMember",
        "assignedTasks",
        "Assigned tasks",
        icon="IconUserCircle",
        inverse_icon="IconCheckbox",
        description="Task assignee",
        inverse_description="Tasks assigned to the workspace member",
    ),
    *_target_relations("noteTarget", "note", "Note", "IconNotes", "noteTargets", "Notes"),
    *_target_relations("taskTarget", "task", "Task", "IconCheckbox", "taskTargets", "Tasks"),
)
