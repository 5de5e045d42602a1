"""The files the docs page and the GraphQL playground load, served by the app itself (no CDN).

Only the files of this catalogue are served: any other name is a 404, so the asset route can
never read anything else from the package. Vendored packages sit in folders named with their
version (`swagger-ui-dist-5.36.0/`), and the pages' own files in a folder named after a hash of
their content (`site-<hash>/`): an asset's URL changes whenever its bytes do, so browsers may
keep it for a year. `scripts/vendor_assets.sh` fetches the vendored files; `chalicelib/static/
README.md` lists their versions and licences.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

from chalicelib.errors import RouteNotFoundError

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"
# Relative to the pages (/docs, /playground), so the URLs work under API Gateway's stage path.
ASSETS_PATH = "docs/assets"
# The URL of a file never changes while its bytes stay the same: see the module's docstring.
IMMUTABLE = "public, max-age=31536000, immutable"

# All text: API Gateway passes them through without binary media types (docs/deploy.md).
CONTENT_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml; charset=utf-8",
}


@dataclass(frozen=True, slots=True)
class Package:
    """A vendored npm package: the files the pages load (its licence files sit beside them)."""

    name: str
    version: str
    files: tuple[str, ...]

    @property
    def folder(self) -> str:
        return f"{self.name}-{self.version}"


# Keyed by the name the page templates use (`$swagger/swagger-ui.css`).
VENDORED: dict[str, Package] = {
    "swagger": Package("swagger-ui-dist", "5.36.0", ("swagger-ui-bundle.js", "swagger-ui.css")),
    "graphiql": Package("graphiql", "3.9.0", ("graphiql.min.js", "graphiql.min.css")),
    "react": Package("react", "18.3.1", ("react.production.min.js",)),
    "react_dom": Package("react-dom", "18.3.1", ("react-dom.production.min.js",)),
}
SITE_DIR = "site"
SITE_FILES = ("api-key.js", "docs.js", "playground.js", "pages.css", "favicon.svg")


@dataclass(frozen=True, slots=True)
class Asset:
    body: str
    content_type: str


@functools.cache
def site_folder() -> str:
    """`site-<hash of the pages' own files>`: read once per container, on the first page."""
    digest = hashlib.sha256()
    for name in SITE_FILES:
        digest.update(name.encode() + b"\0" + (STATIC_DIR / SITE_DIR / name).read_bytes())
    return f"site-{digest.hexdigest()[:12]}"


def asset_folders() -> dict[str, str]:
    """The URL folder of each template name, relative to a page (`docs/assets/react-18.3.1`)."""
    folders = {key: f"{ASSETS_PATH}/{package.folder}" for key, package in VENDORED.items()}
    folders["site"] = f"{ASSETS_PATH}/{site_folder()}"
    return folders


@functools.cache
def _catalogue() -> dict[tuple[str, str], Path]:
    files = {
        (package.folder, name): STATIC_DIR / package.folder / name
        for package in VENDORED.values()
        for name in package.files
    }
    files.update({(site_folder(), name): STATIC_DIR / SITE_DIR / name for name in SITE_FILES})
    return files


@functools.lru_cache(maxsize=len(SITE_FILES) + 8)
def find_asset(folder: str, name: str) -> Asset:
    """The asset at `docs/assets/<folder>/<name>`; RouteNotFoundError for anything else."""
    path = _catalogue().get((folder, name))
    if path is None:
        raise RouteNotFoundError(f"Cannot GET /{ASSETS_PATH}/{folder}/{name}")
    return Asset(path.read_text(encoding="utf-8"), CONTENT_TYPES[path.suffix])
