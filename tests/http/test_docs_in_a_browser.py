"""The docs page and the GraphQL playground in headless Chromium, against the real local stack.

A person's path: open /docs, type the key into the page, see the workspace's own objects (a
custom one included), switch to the metadata document; open /playground, type the key, run a
query on /graphql and on /metadata and read the results from the page. Along the way: nothing is
fetched from another origin, the browser reports no Content-Security-Policy violation, and the key
never shows in a URL. Screenshots land in pytest's temporary folder, `browser-artifacts0/`
(`pytest --basetemp=DIR` puts them in DIR/browser-artifacts0/).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.http.headless_chromium import console_errors, requested_urls, start_chromium
from tests.http.local_stack import Stack

WAIT_SECONDS = 20


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("browser-artifacts")


@pytest.fixture(scope="module")
def workspace(stack: Stack) -> Stack:
    """The demo workspace with a custom object and one company."""
    status, body = stack.call("POST", "/rest/metadata/objects", {
        "nameSingular": "rocket", "namePlural": "rockets",
        "labelSingular": "Rocket", "labelPlural": "Rockets",
    })  # fmt: skip
    assert status == 201, body
    status, body = stack.call("POST", "/rest/companies", {"name": "Acme"})
    assert status == 201, body
    return stack


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    # Started before the stack (fixtures are set up in the order the tests name them), so a
    # machine without Chromium skips without starting a stack.
    driver = start_chromium(tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(autouse=True)
def same_origin_and_no_policy_violation(browser: Any, workspace: Stack) -> Iterator[None]:
    """Checked after each test: every page request stayed on the app, and the console shows
    no Content-Security-Policy violation (nor any other error but refused requests)."""
    yield
    urls = [url for url in requested_urls(browser) if url.startswith(("http:", "https:"))]
    assert urls, "the network log recorded nothing"
    assert [url for url in urls if not url.startswith(workspace.api + "/")] == []
    assert workspace.key not in " ".join(urls)  # never in a URL or query string
    assert [m for m in console_errors(browser) if "Failed to load resource" not in m] == []


def wait_for(browser: Any, condition: str, *args: Any) -> Any:
    """Wait until the JavaScript `condition` (a function body) returns something truthy."""
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, WAIT_SECONDS, poll_frequency=0.1).until(
        lambda driver: driver.execute_script(condition, *args),
        f"still false after {WAIT_SECONDS} s on {browser.current_url}: {condition} {args}",
    )


def enter_key(browser: Any, key: str) -> None:
    from selenium.webdriver.common.by import By

    browser.find_element(By.ID, "crm-api-key-forget").click()
    browser.find_element(By.ID, "crm-api-key").send_keys(key)
    browser.find_element(By.ID, "crm-api-key-use").click()


def choose(browser: Any, select_id: str, value: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    Select(browser.find_element(By.ID, select_id)).select_by_value(value)


def swagger_tags(browser: Any, expected: str) -> list[str]:
    """The operation groups Swagger UI shows, once `expected` is among them."""
    return wait_for(
        browser,
        "const tags = [...document.querySelectorAll('h3.opblock-tag')].map(t => t.dataset.tag);"
        "return tags.includes(arguments[0]) && tags;",
        expected,
    )


def test_the_docs_page_shows_the_workspaces_objects_once_the_key_is_typed_in(
    browser, workspace, artifacts
):
    browser.get(workspace.api + "/docs")
    assert browser.title == "REST API | Twenty"
    # Without a key: the base document, no object of the workspace.
    assert wait_for(browser, "return document.querySelector('.swagger-ui .info .title')")
    tags = wait_for(browser, "return [...document.querySelectorAll('h3.opblock-tag')]")
    assert "companies" not in [tag.get_attribute("data-tag") for tag in tags]
    browser.save_screenshot(str(artifacts / "docs-without-key.png"))

    enter_key(browser, workspace.key)
    tags = swagger_tags(browser, "rockets")
    assert {"companies", "people", "opportunities", "rockets"} <= set(tags)
    browser.save_screenshot(str(artifacts / "docs-core.png"))

    choose(browser, "crm-document", "rest/open-api/metadata")
    assert {"objects", "fields", "apiKeys", "webhooks"} <= set(swagger_tags(browser, "objects"))
    browser.save_screenshot(str(artifacts / "docs-metadata.png"))
    assert workspace.key not in browser.current_url


EDITOR = ".graphiql-query-editor .CodeMirror"
RESULT = ".graphiql-response .CodeMirror"


def retire_graphiql(browser: Any) -> None:
    """Mark the GraphiQL on the page as old: the page mounts a new one (new DOM) when the key
    or the endpoint changes, and `graphiql_run` waits for that one."""
    browser.execute_script(
        "document.querySelectorAll(arguments[0]).forEach(e => { e.dataset.retired = '1'; })",
        EDITOR,
    )


def graphiql_run(browser: Any, query: str) -> dict[str, Any]:
    """Put `query` in GraphiQL's editor, press its run button, and read the result pane."""
    from selenium.webdriver.common.by import By

    editor = wait_for(
        browser, "return document.querySelector(arguments[0])", EDITOR + ":not([data-retired])"
    )
    browser.execute_script("arguments[0].CodeMirror.setValue(arguments[1])", editor, query)
    browser.execute_script("document.querySelector(arguments[0]).CodeMirror.setValue('')", RESULT)
    browser.find_element(By.CSS_SELECTOR, ".graphiql-execute-button").click()
    text = wait_for(
        browser, "return document.querySelector(arguments[0]).CodeMirror.getValue()", RESULT
    )
    return json.loads(text)


def test_the_playground_runs_queries_with_the_typed_key_on_both_endpoints(
    browser, workspace, artifacts
):
    browser.get(workspace.api + "/playground")
    assert browser.title == "GraphQL API | Twenty"
    wait_for(browser, "return document.querySelector(arguments[0])", EDITOR)
    retire_graphiql(browser)
    enter_key(browser, workspace.key)

    answer = graphiql_run(browser, "{ companies(first: 1) { totalCount edges { node { name } } } }")
    assert answer == {
        "data": {"companies": {"totalCount": 1, "edges": [{"node": {"name": "Acme"}}]}}
    }
    browser.save_screenshot(str(artifacts / "playground-core.png"))

    retire_graphiql(browser)
    choose(browser, "crm-endpoint", "metadata")
    answer = graphiql_run(browser, "{ objects { edges { node { nameSingular isCustom } } } }")
    nodes = [edge["node"] for edge in answer["data"]["objects"]["edges"]]
    assert {"nameSingular": "rocket", "isCustom": True} in nodes
    browser.save_screenshot(str(artifacts / "playground-metadata.png"))
    assert workspace.key not in browser.current_url
