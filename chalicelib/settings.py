"""Settings derived from the environment, read once per container."""

from __future__ import annotations

import os
from dataclasses import dataclass


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return default if raw in (None, "") else int(raw)


@dataclass(frozen=True, slots=True)
class Settings:
    main_table: str
    keys_table: str
    region: str
    batch_max_records: int
    page_default: int
    page_max: int
    max_body_bytes: int
    max_json_depth: int
    write_retry_attempts: int
    storage_retry_seconds: float
    dynamodb_connect_timeout: float
    dynamodb_read_timeout: float
    conflict_retry_seconds: float
    scan_cap: int
    index_key_cap: int
    merge_max_moved: int
    metadata_job_seconds: float
    max_response_bytes: int
    request_deadline_seconds: float
    graphql_max_depth: int
    graphql_max_fields: int
    graphql_max_root_fields: int
    graphql_max_tokens: int
    graphql_max_query_chars: int
    graphql_max_aliases: int
    graphql_max_directives: int
    graphql_max_fragments: int
    graphql_max_nesting: int
    webhook_queue_url: str
    webhook_retry_base_seconds: float
    webhook_max_retries: int
    webhook_timeout_seconds: float
    webhook_disable_after: int
    webhook_allow_loopback: bool
    webhook_log_days: int
    rate_limit_per_minute: int
    workspace_rate_limit_per_minute: int
    idempotency_hours: int
    sync_settle_seconds: float
    log_level: str
    log_debug_sample_rate: float
    metrics_namespace: str
    tracing: bool

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            main_table=os.environ.get("CRM_MAIN_TABLE", "crm-main"),
            keys_table=os.environ.get("CRM_KEYS_TABLE", "crm-api-keys"),
            region=os.environ.get("AWS_REGION")
            or os.environ.get("AWS_DEFAULT_REGION")
            or "us-east-1",
            batch_max_records=_int("CRM_BATCH_MAX_RECORDS", 60),
            page_default=_int("CRM_PAGE_DEFAULT", 60),
            page_max=_int("CRM_PAGE_MAX", 200),
            # Lambda refuses request events above 6 MiB (body, headers and context together),
            # so a body limit of 5 MiB is the largest one that answers 413 both locally and on
            # AWS (infra/ deploys the same value).
            max_body_bytes=_int("CRM_MAX_BODY_BYTES", 5 * 1024 * 1024),
            # Arrays/objects a JSON body (or GraphQL variables) may nest: deeper input is refused
            # before decoding, so no recursive walk downstream can exhaust the stack.
            max_json_depth=_int("CRM_MAX_JSON_DEPTH", 64),
            write_retry_attempts=_int("CRM_WRITE_RETRY_ATTEMPTS", 12),
            # A throttled, timed-out or unreachable DynamoDB call is retried (full-jitter backoff)
            # up to the attempts above and while this many seconds have not passed; then 503.
            storage_retry_seconds=float(os.environ.get("CRM_STORAGE_RETRY_SECONDS") or 10),
            # botocore's own timeouts (pynamodb's defaults, 15 s and 30 s, outlast API Gateway's
            # 29 s): a call that has not answered by then is retried, a transaction with the same
            # ClientRequestToken, so one lost answer costs seconds, not the request.
            dynamodb_connect_timeout=float(os.environ.get("CRM_DYNAMODB_CONNECT_TIMEOUT") or 3),
            dynamodb_read_timeout=float(os.environ.get("CRM_DYNAMODB_READ_TIMEOUT") or 5),
            # An update that lost an optimistic-lock race re-reads the record and re-applies its
            # changes, with jittered backoff, for up to this long (not a count a few concurrent
            # clients could exhaust); then 503 WRITE_CONTENTION.
            conflict_retry_seconds=float(os.environ.get("CRM_CONFLICT_RETRY_SECONDS") or 10),
            # Items a filtered/sorted list may read without an index before answering 400.
            scan_cap=_int("CRM_QUERY_SCAN_CAP", 10_000),
            # Index keys (keys only, ~100 bytes each) a list may read to count a range or to
            # put a range in id order: about a dozen 1 MB DynamoDB pages at most.
            index_key_cap=_int("CRM_INDEX_KEY_CAP", 100_000),
            # Related records a merge may move to its survivor (each one a Put, 100 per
            # TransactWriteItems): past it the merge is refused before any write (400).
            merge_max_moved=_int("CRM_MERGE_MAX_MOVED_RECORDS", 1_000),
            # Time a metadata request spends on the records its change touches (migrations,
            # purges) before answering; the rest continues later (metadata/jobs.py). Well
            # under API Gateway's 29 s.
            metadata_job_seconds=float(os.environ.get("CRM_METADATA_JOB_SECONDS") or 15),
            # Bytes an answer may take, as the Lambda response carries it (its body is escaped
            # once more inside that JSON): Lambda refuses responses over 6 MiB (API Gateway then
            # answers 502), so list pages stop early below this and a larger answer gets a 413.
            # The 0.5 MiB left over covers headers and the invocation envelope.
            max_response_bytes=_int("CRM_MAX_RESPONSE_BYTES", 5 * 1024 * 1024 + 512 * 1024),
            # Reads of one request stop here with a 503 instead of running into API Gateway's
            # 29 s timeout (and the Lambda timeout deployed under it): time is left to answer,
            # and a write already started always completes.
            request_deadline_seconds=float(os.environ.get("CRM_REQUEST_DEADLINE_SECONDS") or 20),
            # GraphQL abuse limits (Twenty's connection depth 5, GRAPHQL_MAX_FIELDS 2000 and
            # GRAPHQL_MAX_ROOT_RESOLVERS 20); the token cap bounds parsing work itself.
            graphql_max_depth=_int("CRM_GRAPHQL_MAX_DEPTH", 5),
            graphql_max_fields=_int("CRM_GRAPHQL_MAX_FIELDS", 2000),
            graphql_max_root_fields=_int("CRM_GRAPHQL_MAX_ROOT_FIELDS", 20),
            graphql_max_tokens=_int("CRM_GRAPHQL_MAX_TOKENS", 15_000),
            # Checked before parsing: bounds the lexer's work on long strings and whitespace
            # (under 0.1 s here), above what 15,000 tokens of indented, long-named text take.
            graphql_max_query_chars=_int("CRM_GRAPHQL_MAX_QUERY_CHARS", 250_000),
            # Aliases repeat a field's work under new names (graphql-armor's default is 15;
            # Twenty refuses a repeated root field): 30 is above the root-field cap, so 20
            # aliased root fields still pass, while one relation cannot be fanned out 500 times.
            graphql_max_aliases=_int("CRM_GRAPHQL_MAX_ALIASES", 30),
            graphql_max_directives=_int("CRM_GRAPHQL_MAX_DIRECTIVES", 50),
            graphql_max_fragments=_int("CRM_GRAPHQL_MAX_FRAGMENTS", 100),
            # Field levels of any kind (connection plumbing and introspection included);
            # GraphiQL's introspection query nests 15, five relation levels about 17.
            graphql_max_nesting=_int("CRM_GRAPHQL_MAX_NESTING", 30),
            # The SQS queue of webhook deliveries waiting for an attempt (set by infra/); unset,
            # the local stack's in-process queue takes them (local_stack/delivery_queue.py).
            webhook_queue_url=os.environ.get("CRM_WEBHOOK_QUEUE_URL", ""),
            # The n-th retry of a failed delivery comes about base * 2^(n-1) seconds after the
            # attempt before it (with jitter): 60 s and 6 retries make about an hour in all.
            webhook_retry_base_seconds=float(
                os.environ.get("CRM_WEBHOOK_RETRY_BASE_SECONDS") or 60
            ),
            webhook_max_retries=_int("CRM_WEBHOOK_MAX_RETRIES", 6),
            webhook_timeout_seconds=min(
                10.0, float(os.environ.get("CRM_WEBHOOK_TIMEOUT_SECONDS") or 10)
            ),
            # A webhook whose last N deliveries all ended FAILED is disabled until updated.
            webhook_disable_after=_int("CRM_WEBHOOK_DISABLE_AFTER", 20),
            # Loopback targets (a developer's receiver on 127.0.0.1): `make run` allows them,
            # deployed stages never do. Private, link-local, multicast etc. are always refused.
            webhook_allow_loopback=os.environ.get("CRM_WEBHOOK_ALLOW_LOOPBACK", "")
            in ("1", "true", "yes"),
            # Delivery-log entries expire (DynamoDB TTL) this many days after the event.
            webhook_log_days=_int("CRM_WEBHOOK_LOG_DAYS", 30),
            # Requests a minute per API key and per workspace (0 turns a limit off). Deployed
            # stages get Twenty's 100 (infra/settings.py); the local stack is generous.
            rate_limit_per_minute=_int("CRM_RATE_LIMIT_PER_MINUTE", 10_000),
            workspace_rate_limit_per_minute=_int("CRM_WORKSPACE_RATE_LIMIT_PER_MINUTE", 10_000),
            # How long a stored response answers a retry carrying the same Idempotency-Key.
            idempotency_hours=_int("CRM_IDEMPOTENCY_HOURS", 24),
            # Delta sync only hands out changes older than this: a write that committed with an
            # earlier change time but became visible later (concurrent writers, index lag) is
            # still ahead of every token given out. Deployed stages use 20 s (a transaction's
            # retries can make it visible that late: infra/settings.py); locally 2 s.
            sync_settle_seconds=float(os.environ.get("CRM_SYNC_SETTLE_SECONDS") or 2),
            # Structured request logs: level, and the share of requests logged at DEBUG anyway.
            log_level=os.environ.get("CRM_LOG_LEVEL", "INFO").upper(),
            log_debug_sample_rate=float(os.environ.get("CRM_LOG_DEBUG_SAMPLE_RATE") or 0),
            metrics_namespace=os.environ.get("CRM_METRICS_NAMESPACE", "TwentyServerlessCrm"),
            # X-Ray subsegments for DynamoDB calls (the deployed functions turn tracing on).
            tracing=os.environ.get("CRM_TRACING", "") in ("1", "true", "yes"),
        )


SETTINGS = Settings.from_env()
