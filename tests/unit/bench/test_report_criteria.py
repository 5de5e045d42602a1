"""The bench's cold-start criterion (issue 13 item 4) holds only at or under its bar."""

from __future__ import annotations

from bench.report import COLD_START_TARGET_MS, import_criteria


def test_a_cold_start_at_the_bar_holds_and_one_above_it_fails() -> None:
    (at_bar,) = import_criteria(COLD_START_TARGET_MS)
    (above,) = import_criteria(COLD_START_TARGET_MS + 1)
    assert at_bar.holds and not above.holds
    assert "251 ms median" in above.detail


def test_no_criterion_when_the_import_was_not_timed() -> None:
    assert import_criteria(None) == []
