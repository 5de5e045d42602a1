"""Against moto server (threads, as `make run` serves it): conditional writes and transactions
are atomic, as on DynamoDB: one winner per race, no lost update, no server error."""

from __future__ import annotations

import socket
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from moto.server import ThreadedMotoServer

from chalicelib.storage.tables import MAIN_TABLE, create_table_request
from local_stack import emulator

TABLE = "concurrency-main"
THREADS = 16
EXPECTED = {"ConditionalCheckFailedException", "TransactionCanceledException"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    emulator.install()
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    _client(url).create_table(**create_table_request(MAIN_TABLE, TABLE))
    try:
        yield url
    finally:
        server.stop()


def _client(url: str) -> Any:
    # One session per thread (sessions are not thread-safe); no retry hides a server error.
    return boto3.session.Session().client(
        "dynamodb",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"max_attempts": 1, "mode": "standard"}),
    )


def _race(url: str, work: Callable[[Any, int], None]) -> Counter[str]:
    """Run `work(client, thread number)` on THREADS threads at once; count error codes."""
    errors: Counter[str] = Counter()
    start = threading.Barrier(THREADS)

    def run(number: int) -> None:
        client = _client(url)
        start.wait()
        try:
            work(client, number)
        except ClientError as error:
            errors[error.response["Error"]["Code"]] += 1
        except Exception as error:  # noqa: BLE001 - any other failure is what this test hunts
            errors[type(error).__name__] += 1

    threads = [threading.Thread(target=run, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def s(text: str) -> dict[str, str]:
    return {"S": text}


def test_one_of_sixteen_conditional_creates_of_one_key_wins(endpoint):
    def create(client: Any, number: int) -> None:
        client.put_item(
            TableName=TABLE,
            Item={"pk": s("race#put"), "sk": s("one"), "winner": s(str(number))},
            ConditionExpression="attribute_not_exists(pk)",
        )

    errors = _race(endpoint, create)
    assert errors == Counter({"ConditionalCheckFailedException": THREADS - 1})


def test_one_of_sixteen_transactions_claiming_one_unique_value_wins(endpoint):
    def claim(client: Any, number: int) -> None:
        client.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": TABLE,
                        "ConditionExpression": "attribute_not_exists(pk)",
                        "Item": {"pk": s("race#person"), "sk": s(f"p{number:02d}")},
                    }
                },
                {
                    "Put": {
                        "TableName": TABLE,
                        "ConditionExpression": "attribute_not_exists(pk)",
                        "Item": {
                            "pk": s("race#guard"),
                            "sk": s("email#=a@x.io"),
                            "recordId": s(f"p{number:02d}"),
                        },
                    }
                },
            ]
        )

    errors = _race(endpoint, claim)
    assert errors == Counter({"TransactionCanceledException": THREADS - 1})
    people = _client(endpoint).query(
        TableName=TABLE,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": s("race#person")},
    )
    assert people["Count"] == 1


def test_optimistic_increments_from_sixteen_threads_lose_no_update(endpoint):
    key = {"pk": s("race#counter"), "sk": s("c")}
    increments = 10
    _client(endpoint).put_item(TableName=TABLE, Item={**key, "v": {"N": "0"}, "n": {"N": "0"}})

    def increment(client: Any, _: int) -> None:
        done = 0
        while done < increments:
            item = client.get_item(TableName=TABLE, Key=key, ConsistentRead=True)["Item"]
            version, total = int(item["v"]["N"]), int(item["n"]["N"])
            try:
                client.transact_write_items(
                    TransactItems=[
                        {
                            "Put": {
                                "TableName": TABLE,
                                "Item": {
                                    **key,
                                    "v": {"N": str(version + 1)},
                                    "n": {"N": str(total + 1)},
                                },
                                "ConditionExpression": "v = :v",
                                "ExpressionAttributeValues": {":v": {"N": str(version)}},
                            }
                        }
                    ]
                )
            except ClientError as error:
                if error.response["Error"]["Code"] not in EXPECTED:
                    raise
                continue
            done += 1

    errors = _race(endpoint, increment)
    assert errors == Counter()
    item = _client(endpoint).get_item(TableName=TABLE, Key=key, ConsistentRead=True)["Item"]
    assert item["n"] == {"N": str(THREADS * increments)}
    assert item["v"] == {"N": str(THREADS * increments)}
