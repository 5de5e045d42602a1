"""The catalogue of files the docs page and the playground load: what it serves and refuses."""

from __future__ import annotations

import re

import pytest

from chalicelib.errors import RouteNotFoundError
from chalicelib.rest import docs_assets
from chalicelib.rest.docs_assets import STATIC_DIR, VENDORED, find_asset, site_folder
from chalicelib.rest.docs_pages import PAGES, page_html

LICENCE_FILES = {"LICENSE", "NOTICE", "swagger-ui-bundle.js.LICENSE.txt"}


def test_every_vendored_package_ships_its_licence_beside_the_files_it_serves():
    for package in VENDORED.values():
        folder = STATIC_DIR / package.folder
        assert (folder / "LICENSE").is_file(), package.folder
        for name in package.files:
            assert (folder / name).is_file(), f"{package.folder}/{name}"


def test_every_file_in_the_static_folder_is_served_or_is_a_licence_a_page_or_the_readme():
    served = {(package.folder, name) for package in VENDORED.values() for name in package.files}
    served |= {(docs_assets.SITE_DIR, name) for name in docs_assets.SITE_FILES}
    pages = {("pages", name) for name in PAGES.values()}
    for path in STATIC_DIR.rglob("*"):
        if path.is_dir() or path.name in LICENCE_FILES or path.name == "README.md":
            continue
        entry = (path.parent.name, path.name)
        assert entry in served | pages, f"{entry} is neither served nor listed"


def test_a_vendored_file_is_found_with_its_content_type():
    asset = find_asset("swagger-ui-dist-5.36.0", "swagger-ui.css")
    assert asset.content_type == "text/css; charset=utf-8"
    assert asset.body == (STATIC_DIR / "swagger-ui-dist-5.36.0" / "swagger-ui.css").read_text()
    react = find_asset("react-18.3.1", "react.production.min.js")
    assert react.content_type == "text/javascript; charset=utf-8"


def test_the_pages_own_files_are_found_under_the_folder_named_after_their_hash():
    assert re.fullmatch(r"site-[0-9a-f]{12}", site_folder())
    assert find_asset(site_folder(), "favicon.svg").content_type == "image/svg+xml; charset=utf-8"
    with pytest.raises(RouteNotFoundError):
        find_asset("site", "docs.js")
    with pytest.raises(RouteNotFoundError):
        find_asset("site-000000000000", "docs.js")


@pytest.mark.parametrize(
    ("folder", "name"),
    [
        ("swagger-ui-dist-5.36.0", "LICENSE"),  # present on disk, but not an asset
        ("swagger-ui-dist-5.36.0", "swagger-ui-bundle.js.map"),
        ("swagger-ui-dist-5.35.0", "swagger-ui.css"),  # another version
        ("pages", "docs.html"),
        ("..", "settings.py"),
        ("rest", "docs_assets.py"),
        ("%2e%2e", "errors.py"),
    ],
)
def test_anything_outside_the_catalogue_is_not_found(folder, name):
    with pytest.raises(RouteNotFoundError) as caught:
        find_asset(folder, name)
    assert caught.value.code == "ROUTE_NOT_FOUND"


@pytest.mark.parametrize("page", sorted(PAGES))
def test_a_page_loads_only_relative_urls_of_catalogued_assets_and_no_inline_script(page):
    html = page_html(page)
    assert "$" not in html  # every placeholder filled
    assert "://" not in html.replace('xmlns="http://www.w3.org', "")  # no CDN, no absolute URL
    assert "<script>" not in html and not re.search(r"\son[a-z]+=", html)  # CSP: nothing inline
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assets = [url for url in urls if url.startswith("docs/assets/")]
    assert assets, html
    for url in assets:
        _, _, folder, name = url.split("/")
        find_asset(folder, name)  # raises if the page names a file the route would refuse
    assert set(urls) - set(assets) == {"docs", "playground"}


def test_the_pages_own_files_name_no_other_origin():
    for name in docs_assets.SITE_FILES:
        text = (STATIC_DIR / docs_assets.SITE_DIR / name).read_text()
        text = text.replace("http://www.w3.org/2000/svg", "")  # an SVG namespace, not a request
        assert "http:" not in text and "https:" not in text, name
