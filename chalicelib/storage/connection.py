"""The container's one DynamoDB connection for wire-level calls (reads and transactions)."""

from __future__ import annotations

import gzip
import os
import threading
from functools import cache
from typing import Any

from botocore.loaders import JSONFileLoader, Loader
from botocore.session import Session, get_session
from pynamodb.connection import Connection, TableConnection
from pynamodb.exceptions import TableError

from chalicelib.observability import dynamodb_calls
from chalicelib.settings import SETTINGS
from chalicelib.storage.fast_json import loads as json_loads
from chalicelib.storage.retry import with_retries

# botocore's data files, plain or compressed (DynamoDB's model ships as .json.gz).
_DATA_FILE_OPENERS = ((".json", open), (".json.gz", gzip.open))


class _FastJSONFileLoader(JSONFileLoader):
    """botocore's data files decoded by orjson (storage/fast_json.py), as plain dicts.

    botocore decodes them with `json.loads` into OrderedDicts: ~16 ms for its 1.2 MB endpoints
    file alone, about 20 of the first request of a container here. Plain dicts keep the
    files' order as well."""

    def load_file(self, file_path: str) -> Any:
        """The data file at `file_path` (without its extension), or None if there is none."""
        for extension, open_file in _DATA_FILE_OPENERS:
            path = file_path + extension
            if os.path.isfile(path):
                with open_file(path, "rb") as data:
                    return json_loads(data.read().decode("utf-8"))
        return None


class _DynamoDBDataLoader(Loader):
    """botocore's data loader, told that DynamoDB exists instead of finding out by listing the
    directories of ~450 services (twice: the model, then the endpoint rules): ~20 ms of the
    first request of a container here, more on Lambda's file system."""

    FILE_LOADER_CLASS = _FastJSONFileLoader

    def list_available_services(self, type_name: str) -> list[str]:
        return ["dynamodb"]


@cache
def _botocore_session() -> Session:
    session = get_session()
    session.register_component("data_loader", _DynamoDBDataLoader())
    # Item answers decoded by one json.loads, not botocore's shape walk (storage/wire.py).
    from chalicelib.storage.wire import LeanResponseParsers

    session.register_component("response_parser_factory", LeanResponseParsers())
    # Consumed capacity asked for and recorded, throttles counted, X-Ray subsegments: on the
    # session, so its client (created later) has them; once per call, the lean parser's too.
    dynamodb_calls.register(session)
    return session


class _SharedConnection(Connection):
    """pynamodb's Connection on the session above, its one client created under a lock."""

    _creating = threading.Lock()

    @property
    def session(self) -> Session:
        # pynamodb makes one session per thread because creating clients is not thread-safe;
        # here one client is created once, under the lock, and then shared by every thread.
        return _botocore_session()

    @property
    def client(self) -> Any:
        with self._creating:
            return super().client


@cache
def shared_connection() -> Connection:
    """pynamodb's low-level Connection: one botocore client, errors translated to pynamodb's."""
    # Creating a botocore client costs tens of milliseconds; warm containers reuse this one.
    return _SharedConnection(
        region=SETTINGS.region,
        connect_timeout_seconds=SETTINGS.dynamodb_connect_timeout,
        read_timeout_seconds=SETTINGS.dynamodb_read_timeout,
        # Retries are storage/retry.py's alone: botocore's would multiply them, with delays
        # (1 s doubling) sized for other services than DynamoDB.
        max_retry_attempts=0,
        # Nested relations send a Query per parent, up to 256 in flight (core/child_pages.py):
        # a kept connection each (opened only when used), not botocore's 10 and throwaways.
        max_pool_connections=256,
    )


_moving = threading.Lock()  # two threads may reach a model's first request together


def on_shared_connection(table: TableConnection) -> TableConnection:
    """`table` (a pynamodb model's TableConnection) moved onto the shared Connection.

    Left alone, every model class makes its own Connection, and each of those its own botocore
    session and client: the first request of a container made four, each loading the same
    endpoint and service data (about 250 ms of CPU here). One client serves every table."""
    shared = shared_connection()
    if table.connection is not shared:
        with _moving:
            meta_table = table.get_meta_table()
            try:
                shared.get_meta_table(meta_table.table_name)
            except TableError:  # the first model of this table: its key schema is every one's
                shared.add_meta_table(meta_table)
            table.connection = shared
    return table


def call(operation: str, request: dict[str, Any]) -> dict[str, Any]:
    """One wire-level call, retried with backoff while DynamoDB throttles it or fails to answer.

    `dispatch` raises botocore's errors as they are (a ClientError, or a BotoCoreError for a
    timeout or a lost connection); `with_retries` tells the transient ones apart.
    """
    return with_retries(lambda: shared_connection().dispatch(operation, request))
