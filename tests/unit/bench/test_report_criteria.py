"""The bench's cold-start and Lambda-like CPU criteria (issue 13 items 4 and 6) hold only at
or under their bars."""

from __future__ import annotations

from bench.lambda_like import summarise
from bench.report import COLD_START_TARGET_MS, import_criteria, lambda_like_criteria


def test_a_cold_start_at_the_bar_holds_and_one_above_it_fails() -> None:
    (at_bar,) = import_criteria(COLD_START_TARGET_MS)
    (above,) = import_criteria(COLD_START_TARGET_MS + 1)
    assert at_bar.holds and not above.holds
    assert "251 ms median" in above.detail


def test_no_criterion_when_the_import_was_not_timed() -> None:
    assert import_criteria(None) == []


def _lambda_like(app_ms: float) -> dict:
    child = {"list 60": {"whole": app_ms + 2, "http_exchange": 2.0, "app": app_ms}, "other": {}}
    child["other"] = {"whole": 1.0, "http_exchange": 0.5, "app": 0.5}
    return {"children": 1, "cases": summarise([child], {"list 60": 6.0})}


def test_the_lambda_like_bar_is_judged_on_the_apps_own_cpu_and_only_where_a_case_has_one() -> None:
    (at_bar,) = lambda_like_criteria(_lambda_like(6.0))  # "other" has no bar: no criterion
    (above,) = lambda_like_criteria(_lambda_like(6.01))
    assert at_bar.holds and not above.holds
    assert at_bar.name == "list 60: app CPU <= 6 ms per request, Lambda-like"
    assert "+ 2.00 ms in the HTTP exchange" in at_bar.detail


def test_no_lambda_like_criterion_when_it_did_not_run() -> None:
    assert lambda_like_criteria(None) == []
