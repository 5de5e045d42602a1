"""The docs page (/docs) and the GraphQL playground (/playground): HTML that holds no data.

Both load only the app's own assets (`rest/docs_assets.py`) and ask for the API key in the page
(`static/site/api-key.js`), so they are served without a key, under a strict
Content-Security-Policy.
"""

from __future__ import annotations

import functools
from string import Template

from chalicelib.rest.docs_assets import STATIC_DIR, asset_folders

PAGES = {"docs": "docs.html", "playground": "playground.html"}

# What the vendored bundles truly need, and nothing more:
# - scripts: only the app's own files ('self'); no inline script, no eval.
# - styles: 'unsafe-inline' because GraphiQL's dialogs (settings, shortcuts) insert a <style>
#   element to lock scrolling, holding the scrollbar width measured at run time, so no fixed hash
#   can allow it (seen as a CSP violation in Chromium without it). Styles cannot run code, and
#   stylesheets still load only from this origin.
# - images and fonts: `data:` for the icons and fonts inlined in both bundles' CSS.
# - connect: the OpenAPI documents and the GraphQL endpoints, all on this origin.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)

PAGE_HEADERS = {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    # The page names its assets by content hash: always ask for the current one.
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


@functools.cache
def page_html(page: str) -> str:
    """The page's HTML with its asset URLs filled in (read once per container)."""
    template = Template((STATIC_DIR / "pages" / PAGES[page]).read_text(encoding="utf-8"))
    return template.substitute(asset_folders())
