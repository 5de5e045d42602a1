"""Per-request observability on AWS's own formats, written by hand (no Powertools, no X-Ray SDK:
both cost more cold start than the 250 ms bar leaves; docs/deploy.md).

- `request_log.py`: one structured JSON line per HTTP request (who, what, status, latency, the
  DynamoDB calls and their consumed capacity), carrying its CloudWatch metrics in Embedded
  Metric Format (`emf.py`); printed to stdout, which Lambda sends to CloudWatch Logs.
- `dynamodb_calls.py`: botocore hooks on the shared DynamoDB client that ask for and record
  consumed capacity, count throttled attempts and time each call.
- `xray.py`: each DynamoDB call as an X-Ray subsegment of the Lambda's own segment.
- `delivery_metrics.py`: one metric line per webhook delivery attempt.
- `output.py`: level, debug sampling, and the line as JSON (Lambda) or readable (a terminal).
"""
