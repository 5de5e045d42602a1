"""Operator CLI: `python -m chalicelib.admin workspace create --name NAME`, API keys, indexes, jobs,
workspace export / import (chalicelib/transfer/).

It talks to DynamoDB with the standard AWS settings, so AWS_ENDPOINT_URL_DYNAMODB points it at
the local stack and an AWS profile at a deployed one.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from chalicelib.auth.api_keys import issue_key, revoke_key
from chalicelib.auth.key_management import iso_utc
from chalicelib.context import SCOPE_FULL, SCOPES
from chalicelib.errors import CrmError, NotFoundError
from chalicelib.metadata.provisioning import create_workspace
from chalicelib.storage import workspaces


def _iso_utc(text: str) -> str:
    try:
        return iso_utc(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 date-time: {text}") from exc


def _workspace_create(args: argparse.Namespace) -> dict[str, object]:
    workspace = create_workspace(args.name)
    key = issue_key(workspace.id, args.key_name)
    return {
        "workspaceId": workspace.id,
        "name": workspace.name,
        "apiKey": key.token,
        "apiKeyId": key.row.key_id,
    }


def _apikey_create(args: argparse.Namespace) -> dict[str, object]:
    if workspaces.load_workspace(args.workspace) is None:
        raise NotFoundError(f"No workspace with id '{args.workspace}'")
    key = issue_key(args.workspace, args.name, expires_at=args.expires, scope=args.scope)
    return {
        "workspaceId": args.workspace,
        "apiKey": key.token,
        "apiKeyId": key.row.key_id,
        "name": args.name,
        "expiresAt": args.expires,
        "scope": args.scope,
    }


def _apikey_revoke(args: argparse.Namespace) -> dict[str, object]:
    row = revoke_key(args.id)
    return {"apiKeyId": row.key_id, "workspaceId": row.workspace_id, "revokedAt": row.revoked_at}


def _index_add(args: argparse.Namespace) -> dict[str, object]:
    from chalicelib.metadata.index_admin import add_index
    from chalicelib.wiring import record_store

    spec = add_index(record_store(), args.workspace, args.object, args.path)
    return {"object": args.object, "path": spec.path, "slot": spec.slot, "ready": spec.ready}


def _jobs_run(args: argparse.Namespace) -> dict[str, object]:
    from chalicelib.metadata.jobs import run_pending
    from chalicelib.storage.metadata_store import pending_jobs
    from chalicelib.wiring import record_store

    if workspaces.load_workspace(args.workspace) is None:
        raise NotFoundError(f"No workspace with id '{args.workspace}'")
    done = run_pending(record_store(), args.workspace, budget_seconds=args.seconds)
    return {
        "workspaceId": args.workspace,
        "done": done,
        "pending": len(pending_jobs(args.workspace)),
    }


def _workspace_export(args: argparse.Namespace) -> dict[str, object]:
    from chalicelib.transfer.export import export_workspace

    header = export_workspace(args.workspace, args.out)
    return {"workspaceId": args.workspace, "file": args.out, "records": header["records"]}


def _workspace_import(args: argparse.Namespace) -> dict[str, object]:
    """An export file (--file), or one object's CSV (--into, --object, --csv)."""
    from chalicelib.transfer.csv_import import import_csv
    from chalicelib.transfer.workspace_import import Target, import_file

    if args.csv is not None:
        if args.into is None or args.object is None or args.file is not None:
            raise argparse.ArgumentTypeError("--csv needs --into and --object (and no --file)")
        return import_csv(args.into, args.object, args.csv)
    if args.file is None or (args.into is None) == (args.name is None):
        raise argparse.ArgumentTypeError("--file needs exactly one of --into or --name")
    return import_file(args.file, Target(workspace_id=args.into, name=args.name))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m chalicelib.admin")
    groups = parser.add_subparsers(dest="group", required=True)

    workspace = groups.add_parser("workspace").add_subparsers(dest="action", required=True)
    create = workspace.add_parser("create", help="create a workspace and its first API key")
    create.add_argument("--name", required=True)
    create.add_argument("--key-name", default="Default key")
    create.set_defaults(run=_workspace_create)
    export = workspace.add_parser("export", help="write a workspace to a JSON Lines file")
    export.add_argument("--workspace", required=True)
    export.add_argument("--out", required=True, help="the file; gzip when it ends in .gz")
    export.set_defaults(run=_workspace_export)
    imports = workspace.add_parser(
        "import",
        help="import an export file into a new (--name) or existing (--into) workspace, "
        "or one object's records from a CSV file (--into --object --csv)",
    )
    imports.add_argument("--file", help="an export file (.jsonl or .jsonl.gz)")
    imports.add_argument("--into", help="the id of an existing workspace")
    imports.add_argument("--name", help="the name of a new workspace")
    imports.add_argument("--object", help="with --csv: the object's plural name, e.g. people")
    imports.add_argument("--csv", help="a CSV file whose header row holds field paths")
    imports.set_defaults(run=_workspace_import)

    apikey = groups.add_parser("apikey").add_subparsers(dest="action", required=True)
    key_create = apikey.add_parser("create", help="issue another API key for a workspace")
    key_create.add_argument("--workspace", required=True)
    key_create.add_argument("--name", required=True)
    key_create.add_argument("--expires", type=_iso_utc, default=None)
    key_create.add_argument(
        "--scope",
        choices=SCOPES,
        default=SCOPE_FULL,
        help="full (default), read (core reads only) or metadata (the metadata APIs only)",
    )
    key_create.set_defaults(run=_apikey_create)
    key_revoke = apikey.add_parser("revoke", help="revoke a key; effective on the next request")
    key_revoke.add_argument("--id", required=True)
    key_revoke.set_defaults(run=_apikey_revoke)

    index = groups.add_parser("index").add_subparsers(dest="action", required=True)
    index_add = index.add_parser(
        "add", help="index a field path of an object and backfill its existing records"
    )
    index_add.add_argument("--workspace", required=True)
    index_add.add_argument("--object", required=True, help="the object's plural name")
    index_add.add_argument("--path", required=True, help="e.g. employees or address.addressCity")
    index_add.set_defaults(run=_index_add)

    jobs = groups.add_parser("jobs").add_subparsers(dest="action", required=True)
    jobs_run = jobs.add_parser(
        "run", help="finish the record migrations and purges metadata changes left pending"
    )
    jobs_run.add_argument("--workspace", required=True)
    jobs_run.add_argument("--seconds", type=float, default=3600.0, help="time budget")
    jobs_run.set_defaults(run=_jobs_run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from chalicelib.transfer.fileformat import TransferError

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        result = args.run(args)
    except CrmError as exc:
        print(json.dumps({"error": exc.code, "messages": exc.messages}), file=sys.stderr)
        return 1
    except TransferError as exc:
        # Bad import input: the message names the line of the file.
        print(json.dumps({"error": "IMPORT_FAILED", "messages": [str(exc)]}), file=sys.stderr)
        return 1
    except OSError as exc:
        # An export/import file that cannot be opened or written.
        print(json.dumps({"error": "FILE_ERROR", "messages": [str(exc)]}), file=sys.stderr)
        return 1
    except argparse.ArgumentTypeError as exc:
        parser.error(str(exc))
    print(json.dumps(result, indent=2))
    # A CSV import lists the rows it skipped; the exit status says some were.
    return 1 if result.get("rejected") else 0


if __name__ == "__main__":
    sys.exit(main())
