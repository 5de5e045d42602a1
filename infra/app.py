"""CDK entry point (`cdk.json`): one stack for the stage given as `-c stage=NAME` (default dev).

Run by the CDK CLI from infra/ (`make deploy`). Any other context value that names a setting
overrides it, e.g. `-c throttle_rate_limit=200` or `-c CRM_PAGE_MAX=100` (infra/settings.py).
"""

from __future__ import annotations

import os
import sys
from dataclasses import fields
from pathlib import Path

# The CLI runs `python3 app.py` in infra/: the project root holds chalicelib (the table
# definitions) and the infra package itself.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aws_cdk import App  # noqa: E402

from infra.settings import StageSettings, app_variables, settings_for  # noqa: E402
from infra.stack import CrmStack  # noqa: E402


def main() -> None:
    app = App()
    # `chalice package` wants a region although it calls no AWS API; the CLI knows the target
    # region (from the profile), so hand it on.
    region = os.environ.get("CDK_DEFAULT_REGION")
    if region:
        os.environ.setdefault("AWS_DEFAULT_REGION", region)
    stage = str(app.node.try_get_context("stage") or "dev")
    names = [f.name for f in fields(StageSettings)] + sorted(app_variables())
    overrides = {
        name: value for name in names if (value := app.node.try_get_context(name)) is not None
    }
    CrmStack(app, settings_for(stage, overrides))
    app.synth()


if __name__ == "__main__":
    main()
