"""The main table's stream handler, invoked the way Lambda invokes it (through Chalice)."""

from __future__ import annotations

import logging

import pytest

STREAM_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/crm-main/stream/2026-11-29T00:00:00.000"


def stream_record(event_name: str, sequence: int) -> dict:
    keys = {"pk": {"S": "WS#ws1#REC#obj1"}, "sk": {"S": f"rec{sequence}"}}
    images = {
        "INSERT": {"NewImage": keys},
        "MODIFY": {"NewImage": keys, "OldImage": keys},
        "REMOVE": {"OldImage": keys},
    }[event_name]
    return {
        "eventID": f"event-{sequence}",
        "eventName": event_name,
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "eventSourceARN": STREAM_ARN,
        "dynamodb": {
            "ApproximateCreationDateTime": 1764374400,
            "Keys": keys,
            "SequenceNumber": str(1000 + sequence),
            "SizeBytes": 64,
            "StreamViewType": "NEW_AND_OLD_IMAGES",
            **images,
        },
    }


@pytest.fixture
def lambda_client():
    from chalice.test import Client

    from app import app

    with Client(app) as client:
        yield client.lambda_


def test_a_stream_batch_is_counted_per_event_name_and_reports_no_failed_record(
    lambda_client, caplog
):
    names = ["INSERT", "INSERT", "MODIFY", "REMOVE", "INSERT"]
    event = {"Records": [stream_record(name, i) for i, name in enumerate(names)]}
    with caplog.at_level(logging.INFO, logger="crm.streams"):
        response = lambda_client.invoke("on_main_table_change", event)
    assert response.payload == {"batchItemFailures": []}
    (record,) = [r for r in caplog.records if r.name == "crm.streams"]
    assert record.getMessage() == "stream batch: INSERT=3 MODIFY=1 REMOVE=1"
    assert record.streamCounts == {"INSERT": 3, "MODIFY": 1, "REMOVE": 1}


def test_an_empty_batch_logs_zero_counts(lambda_client, caplog):
    with caplog.at_level(logging.INFO, logger="crm.streams"):
        response = lambda_client.invoke("on_main_table_change", {"Records": []})
    assert response.payload == {"batchItemFailures": []}
    assert "INSERT=0 MODIFY=0 REMOVE=0" in caplog.text


def test_the_handler_is_registered_for_the_main_table_stream_with_the_configured_batch_size():
    from app import app
    from chalicelib import streams

    (config,) = [source for source in app.event_sources if source.name == "on_main_table_change"]
    assert config.stream_arn == streams.main_table_stream_arn()
    assert config.batch_size == streams.STREAM_BATCH_SIZE
    assert config.starting_position == "LATEST"
