"""Print what the operator CLI needs to reach a deployed stage, from `cdk deploy`'s outputs file.

    eval "$(.venv/bin/python infra/print_admin_env.py --stage dev)"
    .venv/bin/python -m chalicelib.admin workspace create --name "Acme"

`make deploy` writes infra/outputs-<stage>.json and runs this with --instructions, which prints
the API URL and the two commands above instead of the bare exports.
Standard library only: it runs before, and without, anything else being installed.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

INFRA_DIR = Path(__file__).resolve().parent


def outputs_path(stage: str) -> Path:
    return INFRA_DIR / f"outputs-{stage}.json"


def load_outputs(stage: str, path: Path | None = None) -> dict[str, str]:
    path = path or outputs_path(stage)
    if not path.exists():
        raise SystemExit(f"{path} not found: run `make deploy STAGE={stage}` first")
    by_stack = json.loads(path.read_text())
    stack = f"crm-{stage}"
    if stack not in by_stack:
        raise SystemExit(f"{path} has no outputs for stack {stack}")
    return by_stack[stack]


def admin_exports(outputs: dict[str, str]) -> list[str]:
    """Shell lines that point chalicelib's settings at the deployed tables."""
    variables = {
        # chalicelib.settings reads AWS_REGION first; without it the CLI would use us-east-1.
        "AWS_REGION": outputs["Region"],
        "CRM_MAIN_TABLE": outputs["MainTableName"],
        "CRM_KEYS_TABLE": outputs["KeysTableName"],
    }
    # Left over from using the CLI against the local stack, it would send calls there.
    lines = ["unset AWS_ENDPOINT_URL_DYNAMODB AWS_ENDPOINT_URL"]
    lines += [f"export {name}={shlex.quote(value)}" for name, value in variables.items()]
    return lines


def instructions(stage: str, outputs: dict[str, str]) -> str:
    return "\n".join(
        [
            f"API URL ({stage}): {outputs['ApiUrl']}",
            "",
            "Create the first workspace and its API key (uses your AWS credentials):",
            f'  eval "$(.venv/bin/python infra/print_admin_env.py --stage {stage})"',
            '  .venv/bin/python -m chalicelib.admin workspace create --name "My workspace"',
            "",
            "which sets:",
            *(f"  {line}" for line in admin_exports(outputs)),
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="infra/print_admin_env.py", description=__doc__)
    parser.add_argument("--stage", default="dev")
    parser.add_argument("--outputs", type=Path, default=None, help="cdk deploy's outputs file")
    parser.add_argument("--instructions", action="store_true", help="explain instead of export")
    args = parser.parse_args(argv)
    outputs = load_outputs(args.stage, args.outputs)
    text = (
        instructions(args.stage, outputs)
        if args.instructions
        else "\n".join(admin_exports(outputs))
    )
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
