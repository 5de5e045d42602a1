"""Delta sync against the real local stack while writers run concurrently: nothing is skipped.

Eight clients create, update, soft-delete, restore and destroy companies at the same time as a
ninth follows the sync tokens without pause. Once the writers stop and the settle time (the
stack's default) has passed, one more round of the tokens makes the follower's copy equal to the
live and soft-deleted records exactly: every write that committed while a sync ran reached the
follower, because none was handed out before it settled. (With CRM_SYNC_SETTLE_SECONDS=0 this
test fails about every other run: a write stamped before a sync's horizon but committed after
that sync read the index is passed over for good.)
"""

from __future__ import annotations

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import quote

from chalicelib.settings import SETTINGS
from tests.http.local_stack import Stack

WRITERS = 8
STEPS = 12


def _ok(answer: tuple[int, Any]) -> Any:
    status, body = answer
    assert 200 <= status < 300, answer
    return body


def _writer(stack: Stack, seed: int) -> None:
    """A client working on its own records, with every kind of write."""
    rng = random.Random(seed)
    live: list[str] = []
    trash: list[str] = []
    for step in range(STEPS):
        roll = rng.random()
        if not live or roll < 0.35:
            body = _ok(stack.call("POST", "/rest/companies", {"name": f"w{seed}-{step}"}))
            live.append(body["data"]["createCompany"]["id"])
        elif roll < 0.6:
            rid = rng.choice(live)
            _ok(stack.call("PATCH", f"/rest/companies/{rid}", {"employees": step}))
        elif roll < 0.75:
            rid = live.pop(rng.randrange(len(live)))
            _ok(stack.call("DELETE", f"/rest/companies/{rid}?soft_delete=true"))
            trash.append(rid)
        elif roll < 0.85 and trash:
            rid = trash.pop()
            _ok(stack.call("PATCH", f"/rest/restore/companies/{rid}"))
            live.append(rid)
        else:
            rid = live.pop(rng.randrange(len(live)))
            _ok(stack.call("DELETE", f"/rest/companies/{rid}"))


class Follower:
    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.token: str | None = None
        self.live: dict[str, dict] = {}
        self.trash: dict[str, dict] = {}

    def round(self) -> None:
        """Follow the tokens until `hasMore` is false, applying every change."""
        while True:
            since = f"since={quote(self.token)}&" if self.token else ""
            body = _ok(self.stack.call("GET", f"/rest/changes/companies?{since}limit=7"))
            for change in body["data"]["changes"]:
                rid = change["id"]
                self.live.pop(rid, None)
                self.trash.pop(rid, None)
                if change["operation"] == "deleted":
                    self.trash[rid] = change["record"]
                elif change["operation"] != "destroyed":
                    self.live[rid] = change["record"]
            self.token = body["nextSyncToken"]
            if not body["hasMore"]:
                return


def _all(stack: Stack, deleted: bool) -> dict[str, dict]:
    found: dict[str, dict] = {}
    cursor = ""
    trash = "&filter=deletedAt[is]:NOT_NULL" if deleted else ""
    while True:
        body = _ok(stack.call("GET", f"/rest/companies?limit=200{trash}{cursor}"))
        found.update({r["id"]: r for r in body["data"]["companies"]})
        if not body["pageInfo"]["hasNextPage"]:
            return found
        cursor = f"&starting_after={body['pageInfo']['endCursor']}"


def test_a_follower_misses_nothing_that_concurrent_writers_did(stack: Stack):
    follower = Follower(stack)
    follower.round()
    writing = threading.Event()
    writing.set()

    def follow_while_writing() -> int:
        rounds = 0
        while writing.is_set():
            follower.round()
            rounds += 1
        return rounds

    with ThreadPoolExecutor(WRITERS + 1) as pool:
        following = pool.submit(follow_while_writing)
        writers = [pool.submit(_writer, stack, seed) for seed in range(WRITERS)]
        for writer in writers:
            writer.result()
        writing.clear()
        assert following.result() > 1  # the follower really ran during the writes

    time.sleep(SETTINGS.sync_settle_seconds + 0.5)
    follower.round()

    assert follower.live == _all(stack, deleted=False)
    assert follower.trash == _all(stack, deleted=True)
