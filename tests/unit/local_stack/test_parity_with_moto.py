"""The emulator answers exactly as plain moto does over the project's own access patterns."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from moto import mock_aws

from local_stack import emulator, narrow_query
from tests.unit.local_stack import access_patterns

ROOT = Path(__file__).resolve().parents[3]


def _plain_moto_answers() -> list:
    """The script run in a fresh process where nothing is installed."""
    env = {**os.environ, **access_patterns.fake_credentials()}
    result = subprocess.run(
        [sys.executable, "-m", "tests.unit.local_stack.access_patterns"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    return json.loads(result.stdout)


def _emulator_answers() -> list:
    emulator.install()
    with mock_aws():
        answers = access_patterns.run()
    # The same JSON round trip as the subprocess's answers.
    return json.loads(json.dumps(answers, default=str))


def test_every_answer_of_the_access_patterns_is_identical_to_plain_motos():
    narrowed_before = narrow_query.Counters.queries
    emulated = _emulator_answers()
    narrowed = narrow_query.Counters.queries - narrowed_before
    plain = _plain_moto_answers()

    assert len(emulated) == len(plain)
    for position, (mine, theirs) in enumerate(zip(emulated, plain, strict=True)):
        assert mine == theirs, f"answer {position} ({theirs[0]}) differs"
    # Not vacuous: the script exercised cancelled transactions and narrowed Queries.
    outcomes = [(answer[0], answer[1]) for answer in plain]
    assert outcomes.count(("transact_write_items", "error")) >= 3
    assert narrowed >= 300
