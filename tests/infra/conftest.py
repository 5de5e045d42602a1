"""Synthesize the dev stack once per test session, in-process, offline, in a temporary folder.

No AWS credentials and no network beyond the package index are needed: `chalice package` (run by
Chalice's CDK construct) builds the Lambda zip from requirements.txt, and CDK writes the template
and the zip asset into the temporary folder.
"""

from __future__ import annotations

import contextlib
import copy
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

# jsii runs CDK in node; on Node 20 it prints an end-of-life banner at every start otherwise.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")


@dataclass(frozen=True)
class Synthesized:
    template: dict[str, Any]
    outdir: Path

    def resources(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return {
            logical_id: resource
            for logical_id, resource in self.template["Resources"].items()
            if resource["Type"] == resource_type
        }

    def resource(self, logical_id: str) -> dict[str, Any]:
        return self.template["Resources"][logical_id]

    def logical_id(self, construct_prefix: str, resource_type: str) -> str:
        """The one resource of a type whose logical id starts with a construct id."""
        (found,) = [
            name for name in self.resources(resource_type) if name.startswith(construct_prefix)
        ]
        return found


@contextlib.contextmanager
def packaging_leftovers_removed(project_root: Path) -> Iterator[None]:
    """Delete the dependency zips `chalice package` caches in .chalice/deployments/.

    Their name hashes the app's code too, so each code change would leave another 17 MB zip
    that no later run reuses.
    """
    cache = project_root / ".chalice" / "deployments"
    before = set(cache.iterdir()) if cache.exists() else set()
    try:
        yield
    finally:
        for path in (set(cache.iterdir()) if cache.exists() else set()) - before:
            path.unlink()
        if cache.exists() and not before and not any(cache.iterdir()):
            cache.rmdir()


@contextlib.contextmanager
def preserved_process_state() -> Iterator[None]:
    """Undo what packaging does to the test process.

    `chalice package` copies the stage's environment variables into os.environ and puts the
    project on sys.path (it imports app.py to find the handlers); later tests must not see either.
    """
    environ, path = dict(os.environ), list(sys.path)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(environ)
        sys.path[:] = path


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    from aws_cdk import App
    from aws_cdk.assertions import Template

    # Imported here first, with the test environment, so packaging finds it in sys.modules
    # instead of importing it again with the stage's variables.
    import app  # noqa: F401
    from infra.settings import settings_for
    from infra.stack import PROJECT_ROOT, CrmStack

    workdir = tmp_path_factory.mktemp("synth")
    # chalice.out/ goes to the working directory, .chalice/deployments/ to the project root.
    with (
        preserved_process_state(),
        packaging_leftovers_removed(PROJECT_ROOT),
        contextlib.chdir(workdir),
    ):
        cdk_app = App(outdir=str(workdir / "cdk.out"))
        stack = CrmStack(cdk_app, settings_for("dev"))
        template = Template.from_stack(stack).to_json()
    return Synthesized(template=template, outdir=workdir / "cdk.out")


class NoManagedPolicies:
    """The transform asks this only for policies named in SAM `Policies`; the stack uses none."""

    def load(self) -> dict[str, str]:
        return {}


@pytest.fixture(scope="session")
def expanded(synthesized: Synthesized) -> dict[str, Any]:
    """The template after the AWS::Serverless transform: what CloudFormation will deploy."""
    from samtranslator.translator.transform import transform

    # The transform resolves AWS::Region from the environment (tests/conftest.py sets it).
    return transform(copy.deepcopy(synthesized.template), {}, NoManagedPolicies())
