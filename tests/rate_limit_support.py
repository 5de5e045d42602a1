"""Rate-limit test helpers: limits set through SETTINGS, and admission's clock moved by hand (so a
window ends without waiting a minute), both undone by pytest's monkeypatch."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest

# A minute boundary (divisible by 60), in 2027: windows start here in every test.
WINDOW_START = 1_800_000_000


@dataclass
class WindowClock:
    """Stands in for the `time` module of auth/admission.py, which only calls `time()`."""

    now: float = WINDOW_START + 10.0

    def time(self) -> float:
        return self.now

    def next_window(self) -> None:
        self.now = (self.now // 60 + 1) * 60 + 1


def set_limits(monkeypatch: pytest.MonkeyPatch, *, key: int, workspace: int) -> None:
    """Requests a minute per API key and per workspace (0 turns one off)."""
    from chalicelib.auth import rate_limits

    changed = replace(
        rate_limits.SETTINGS, rate_limit_per_minute=key, workspace_rate_limit_per_minute=workspace
    )
    monkeypatch.setattr(rate_limits, "SETTINGS", changed)


def freeze_admission_clock(monkeypatch: pytest.MonkeyPatch) -> WindowClock:
    from chalicelib.auth import admission

    clock = WindowClock()
    monkeypatch.setattr(admission, "time", clock)
    return clock


def rate_headers(headers: dict[str, str]) -> dict[str, str]:
    """The RateLimit-* and Retry-After headers of a response, names as the API sends them."""
    wanted = ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "Retry-After")
    lowered = {name.lower(): value for name, value in headers.items()}
    return {name: lowered[name.lower()] for name in wanted if name.lower() in lowered}
