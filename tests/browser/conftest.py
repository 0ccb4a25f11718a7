"""Browser tests: Debian's Chromium driven by Playwright, every page checked with axe-core from npm."""

import re
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_SOURCE = (ROOT / "node_modules" / "axe-core" / "axe.min.js").read_text()
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
# In parallel, the workers, their servers and their browsers share two cores, so a page can take longer than
# the five seconds expect() waits by default; actions already wait up to thirty.
expect.set_options(timeout=15_000)


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        # Never `playwright install`: Debian's Chromium is the browser under test.
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


PHONE = {"width": 400, "height": 800}  # about the width of a small phone, as Lighthouse's mobile run


@pytest.fixture
def phone(request):
    """Use as `@pytest.mark.parametrize("phone", [False, True], indirect=True)` to run a journey at a
    phone's width too."""
    return getattr(request, "param", False)


@pytest.fixture
def javascript(request):
    """Use as `@pytest.mark.parametrize("javascript", [True, False], indirect=True)` to run a journey with
    JavaScript off too: every page must work as plain HTML."""
    return getattr(request, "param", True)


@pytest.fixture
def page(browser, live_server, phone, javascript):
    context = browser.new_context(
        base_url=live_server, java_script_enabled=javascript, **({"viewport": PHONE} if phone else {})
    )
    page = context.new_page()
    page.javascript_enabled = javascript  # for assert_accessible
    problems, documents = [], set()

    def on_console(message):
        # An error page's own status (a 403 or 404 we asked for) is not a problem; anything else is.
        if message.type == "error" and message.location.get("url") not in documents:
            problems.append(message.text)

    page.on("framenavigated", lambda frame: documents.add(frame.url))
    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    yield page
    context.close()
    assert not problems, f"the browser reported errors (CSP or script): {problems}"


def assert_accessible(page) -> None:
    """Run axe-core on the page as it stands; fail with every violation spelled out."""
    if not getattr(page, "javascript_enabled", True):
        # A page with JavaScript off cannot run axe: check the same HTML, as it stands, in a page that can.
        checker = page.context.browser.new_page()
        html = re.sub(r"<script\b.*?</script>", "", page.content(), flags=re.S)  # as it is, scripts not run
        try:
            checker.set_content(html.replace("<head>", f'<head><base href="{page.url}">', 1))
            assert_accessible(checker)
        finally:
            checker.close()
        return
    # page.evaluate runs outside the page's CSP, so the page's own policy stays as strict as in production.
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    violations = [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(str(node["target"]) for node in violation["nodes"])
        for violation in result["violations"]
    ]
    assert not violations, f"axe found problems on {page.url}:\n" + "\n".join(violations)


def sign_in(page, email: str, password: str) -> None:
    page.goto("/staff/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff/")


def type_into_picker(page, field, typed: str, option: str) -> None:
    """Types into a picker and waits until the answer to the whole text has drawn the menu. An earlier
    keystroke's answer can already show the option; the later answer redraws the menu and would drop a
    selection made in between."""
    from urllib.parse import parse_qs, urlsplit

    def answers_whole_text(response) -> bool:
        return parse_qs(urlsplit(response.url).query).get("q") == [typed]

    with page.expect_response(answers_whole_text):
        field.press_sequentially(typed, delay=50)
    expect(page.get_by_role("option", name=option)).to_be_visible()


def take_first_option(page, field, option: str) -> None:
    """ArrowDown to the picker's first option, and Enter to take it."""
    field.press("ArrowDown")
    expect(page.get_by_role("option", name=option)).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")
    expect(field).to_have_value(option)
