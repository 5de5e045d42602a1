"""Progress of an export or import: a bar on a terminal, plain lines in a log."""

from __future__ import annotations

import io

from chalicelib.transfer.progress import Progress


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_plain_lines_come_every_tenth_of_the_total_with_rate_and_eta():
    stream, clock = io.StringIO(), Clock()
    progress = Progress("import", 1000, stream=stream, tty=False, clock=clock)
    for _ in range(10):
        clock.now += 1.0
        progress.advance(100)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 10
    assert lines[0] == ("import: 100/1,000 records ( 10.0 %), 100/s, elapsed 00:01, ETA 00:09")
    assert lines[-1].startswith("import: 1,000/1,000 records (100.0 %)")


def test_plain_lines_also_come_every_ten_seconds_when_progress_is_slow():
    stream, clock = io.StringIO(), Clock()
    progress = Progress("export", 1_000_000, stream=stream, tty=False, clock=clock)
    for now in (0.0, 11.0, 12.0, 22.0, 23.0):
        clock.now = now
        progress.advance(1)
    assert [line.split(", elapsed ")[1][:5] for line in stream.getvalue().splitlines()] == [
        "00:11",
        "00:22",
    ]


def test_a_terminal_gets_one_bar_redrawn_in_place_and_a_final_newline():
    stream, clock = io.StringIO(), Clock()
    progress = Progress("import", 200, stream=stream, tty=True, clock=clock)
    clock.now = 1.0
    progress.advance(100)
    clock.now = 2.0
    progress.advance(100)
    progress.finish()
    text = stream.getvalue()
    assert text.count("\n") == 1 and text.endswith("\n")
    assert "\r[###############---------------] import: 100/200" in text
    assert "\r[##############################] import: 200/200 records (100.0 %), 100/s" in text


def test_an_estimate_that_was_too_low_grows_with_the_records_done():
    stream = io.StringIO()
    progress = Progress("export", 5, stream=stream, tty=False, clock=Clock())
    progress.advance(8)
    progress.finish()
    assert "8/8 records (100.0 %)" in stream.getvalue().splitlines()[-1]
