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
    write_retry_attempts: int
    scan_cap: int
    index_key_cap: int
    metadata_job_seconds: float
    graphql_max_depth: int
    graphql_max_fields: int
    graphql_max_root_fields: int
    graphql_max_tokens: int

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
            write_retry_attempts=_int("CRM_WRITE_RETRY_ATTEMPTS", 12),
            # Items a filtered/sorted list may read without an index before answering 400.
            scan_cap=_int("CRM_QUERY_SCAN_CAP", 10_000),
            # Index keys (keys only, ~100 bytes each) a list may read to count a range or to
            # put a range in id order: about a dozen 1 MB DynamoDB pages at most.
            index_key_cap=_int("CRM_INDEX_KEY_CAP", 100_000),
            # Time a metadata request spends on the records its change touches (migrations,
            # purges) before answering; the rest continues later (metadata/jobs.py). Well
            # under API Gateway's 29 s.
            metadata_job_seconds=float(os.environ.get("CRM_METADATA_JOB_SECONDS") or 15),
            # GraphQL abuse limits (Twenty's connection depth 5, GRAPHQL_MAX_FIELDS 2000 and
            # GRAPHQL_MAX_ROOT_RESOLVERS 20); the token cap bounds parsing work itself.
            graphql_max_depth=_int("CRM_GRAPHQL_MAX_DEPTH", 5),
            graphql_max_fields=_int("CRM_GRAPHQL_MAX_FIELDS", 2000),
            graphql_max_root_fields=_int("CRM_GRAPHQL_MAX_ROOT_FIELDS", 20),
            graphql_max_tokens=_int("CRM_GRAPHQL_MAX_TOKENS", 15_000),
        )


SETTINGS = Settings.from_env()
