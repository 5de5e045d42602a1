"""Identifier rules and the names the generated APIs reserve."""

from __future__ import annotations

import pytest

from chalicelib.metadata.names import generated_names, identifier_problems, name_from_label


@pytest.mark.parametrize("name", ["rocket", "a", "myRocket2", "launchPadV2", "x" * 63])
def test_camel_case_names_of_1_to_63_characters_are_accepted(name):
    assert identifier_problems("name", name) == []


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("Rocket", "camelCase"),
        ("my_rocket", "camelCase"),
        ("my-rocket", "camelCase"),
        ("rocketURL", "camelCase"),
        ("2rockets", "camelCase"),
        ("x" * 64, "1 to 63 characters"),
        ("", "non-empty string"),
        (None, "non-empty string"),
        ("objects", "reserved"),
        ("currency", "reserved"),
        ("restore", "reserved"),
        ("edges", "reserved"),
        ("totalCount", "reserved"),
    ],
)
def test_names_breaking_a_rule_say_which_rule(name, problem):
    problems = identifier_problems("name", name)
    assert problems and any(problem in message for message in problems), problems


def test_generated_names_cover_types_queries_and_every_mutation():
    names = generated_names("company", "companies")
    assert {"Company", "CompanyEdge", "CompanyConnection", "CompanyFilterInput"} <= names
    assert {"company", "companies", "companyDuplicates", "companiesGroupBy"} <= names
    assert {"createCompany", "createCompanies", "destroyCompanies", "restoreCompany"} <= names


@pytest.mark.parametrize(
    ("label", "name"),
    [
        ("Rockets", "rockets"),
        ("Launch pads", "launchPads"),
        ("URL Field", "urlField"),
        ("Société Générale", "societeGenerale"),
        ("2nd stage", "n2NdStage"),
        ("!!!", ""),
    ],
)
def test_names_derived_from_labels_follow_twentys_camel_casing(label, name):
    assert name_from_label(label) == name
