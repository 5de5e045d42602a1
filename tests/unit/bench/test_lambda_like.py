"""The Lambda-like CPU's summary: per case and measure, the median of the children's medians;
the bar held against the app's own CPU, and for information against the whole."""

from __future__ import annotations

from bench.lambda_like import summarise


def _child(app: float, http: float) -> dict[str, float]:
    return {"whole": app + http, "http_exchange": http, "app": app}


def test_each_measure_is_the_median_of_the_childrens_medians() -> None:
    per_child = [
        {"list 60": _child(3.0, 2.5)},
        {"list 60": _child(4.5, 3.0)},  # one slow child does not carry the figure
        {"list 60": _child(3.5, 2.0)},
    ]
    found = summarise(per_child, {"list 60": 6.0})["list 60"]
    assert found["app_ms"] == 3.5
    assert found["app_children_ms"] == [3.0, 4.5, 3.5]
    assert found["http_exchange_ms"] == 2.5
    assert found["whole_ms"] == 5.5
    assert found["target_ms"] == 6.0
    assert found["app_holds"] is True and found["whole_holds"] is True


def test_the_bar_is_judged_on_the_app_and_on_the_whole_apart() -> None:
    found = summarise([{"nested": _child(15.0, 6.0)}], {"nested": 20.0})["nested"]
    assert found["app_holds"] is True
    assert found["whole_holds"] is False


def test_a_case_without_a_bar_has_no_verdict() -> None:
    found = summarise([{"other": _child(1.0, 1.0)}], {})["other"]
    assert found["target_ms"] is None
    assert found["app_holds"] is None and found["whole_holds"] is None
