"""Headless Chromium (Debian's `chromium` and `chromium-driver`) driven through Selenium.

Without Chromium the browser tests skip, saying how to install it; in CI (CI=true) they fail
instead, since `.ci/run` installs it and a silent skip would hide a broken install.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

INSTALL_HINT = (
    "install Debian's Chromium and its driver: `apt-get install -y chromium chromium-driver` "
    "(.ci/run does this in CI)"
)
# The flags the machine's notes give for a closed network: no background connections to Google,
# no component updates, no QUIC; a fresh profile; no sandbox (CI runs as root).
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1400,1000",
)


def chromium_paths() -> tuple[str, str]:
    """(chromium, chromedriver), or skip (fail in CI) when either is missing."""
    chromium = shutil.which("chromium")
    driver = shutil.which("chromedriver")
    if chromium and driver:
        return chromium, driver
    missing = "chromium" if not chromium else "chromedriver"
    message = f"{missing} not found: {INSTALL_HINT}"
    if os.environ.get("CI", "").lower() in ("1", "true"):
        pytest.fail(message)
    pytest.skip(message)


def start_chromium(profile: Path) -> Any:
    """A headless Chromium with a fresh profile, recording the console and the network."""
    chromium, driver = chromium_paths()
    webdriver = pytest.importorskip("selenium.webdriver", reason=INSTALL_HINT)
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    # The driver's path is given, so Selenium Manager never tries to download one.
    return webdriver.Chrome(service=Service(driver), options=options)


def requested_urls(browser: Any) -> list[str]:
    """Every URL the page asked for since the last call (Chromium's DevTools network log)."""
    urls = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def console_errors(browser: Any) -> list[str]:
    """The console's errors since the last call (CSP violations are among them)."""
    return [entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
