"""Compiled bytecode in the Lambda zip, so that a cold start does not compile its imports.

`chalice package` zips sources only (its dependencies come from wheels, which hold no `.pyc`
either), and a Lambda's code directory is read-only: without bytecode in the zip, every cold
start compiles every module it imports (here, measured with `python -m bench.coldstart`: tens
of milliseconds for chalicelib alone, more for botocore and urllib3). The `.pyc` files added here
are hash-based and unchecked (PEP 552): the zip's sources never change once deployed, so Python
loads them without reading the source or comparing timestamps (a zip keeps mtimes to two
seconds only). They are compiled by the interpreter that packages, whose version must be the
functions' runtime: Chalice picks the runtime from that same interpreter.
"""

from __future__ import annotations

import compileall
import json
import py_compile
import sys
import tempfile
import zipfile
from pathlib import Path

# Where Lambda unpacks the zip: the path tracebacks show.
LAMBDA_TASK_ROOT = "/var/task"
# Chalice's own entries are dated 1980-01-01, and so are these: the same package gives the same
# zip byte for byte (checked), so the CDK asset (named by its hash) changes only with the code.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def runtime_of_this_interpreter() -> str:
    return f"python{sys.version_info.major}.{sys.version_info.minor}"


def add_bytecode_to_package(package_dir: Path) -> None:
    """`add_bytecode` on the zip of a `chalice package` output (`deployment.zip` and the
    `sam.json` naming the functions' runtime)."""
    template = json.loads((package_dir / "sam.json").read_text())
    runtimes = {
        resource["Properties"]["Runtime"]
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::Serverless::Function"
    }
    if len(runtimes) != 1:
        raise RuntimeError(f"the functions of one zip run on one runtime, not {sorted(runtimes)}")
    add_bytecode(package_dir / "deployment.zip", runtimes.pop())


def add_bytecode(zip_path: Path, runtime: str) -> None:
    """Rewrite the zip at `zip_path` with a `__pycache__/*.pyc` next to each of its modules."""
    if runtime != runtime_of_this_interpreter():
        raise RuntimeError(
            f"the functions run {runtime}, but this interpreter is "
            f"{runtime_of_this_interpreter()}: its bytecode would not load there"
        )
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        with zipfile.ZipFile(zip_path) as archive:
            modes = {info.filename: info.external_attr for info in archive.infolist()}
            archive.extractall(root)
        compiled = compileall.compile_dir(
            root,
            quiet=2,
            ddir=LAMBDA_TASK_ROOT,
            invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
            workers=1,
        )
        if not compiled:
            raise RuntimeError(f"a module of {zip_path} does not compile")
        _write_zip(zip_path, root, modes)


def _write_zip(zip_path: Path, root: Path, modes: dict[str, int]) -> None:
    files = sorted(path for path in root.rglob("*") if path.is_file())
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            name = path.relative_to(root).as_posix()
            info = zipfile.ZipInfo(name, _ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            # Unix permissions as Chalice set them; the new files are plain readable files.
            info.external_attr = modes.get(name, 0o644 << 16)
            archive.writestr(info, path.read_bytes())
