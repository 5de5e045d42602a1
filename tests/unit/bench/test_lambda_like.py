"""The Lambda-like CPU's summary: each case's median over the children's medians, against its bar."""

from __future__ import annotations

from bench.lambda_like import summarise


def test_each_case_is_summarised_by_the_median_of_the_childrens_medians() -> None:
    per_child = [
        {"list 60": 5.0, "nested": 17.0},
        {"list 60": 7.0, "nested": 21.0},
        {"list 60": 5.5, "nested": 18.0},
    ]
    summary = summarise(per_child, {"list 60": 6.0, "nested": 20.0})
    assert summary["list 60"] == {
        "api_cpu_ms_median": 5.5,
        "children_medians_ms": [5.0, 7.0, 5.5],
        "target_ms": 6.0,
        "holds": True,
    }
    # One slow child does not carry the figure; the median does.
    assert summary["nested"]["api_cpu_ms_median"] == 18.0
    assert summary["nested"]["holds"] is True


def test_a_median_over_its_bar_does_not_hold_and_a_case_without_a_bar_has_no_verdict() -> None:
    summary = summarise([{"list 60": 6.5, "other": 1.0}], {"list 60": 6.0})
    assert summary["list 60"]["holds"] is False
    assert summary["other"]["target_ms"] is None
    assert summary["other"]["holds"] is None
