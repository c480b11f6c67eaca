"""Browser tests: Playwright (Python) driving Debian's Chromium against the live server."""

import os
from pathlib import Path

import pytest

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
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"


@pytest.fixture(scope="module")
def browser():
    """Start Chromium once per test module; skip when it is not installed."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"browser tests need Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread, and the tests (and the
    # database flush after each one) still use the ORM here: allow it only while the
    # browser runs, so no other test or subprocess inherits the setting.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page_as(browser, live_server, client):
    """Return a function opening a browser page logged in as the given user."""
    contexts = []

    def open_as(user):
        client.force_login(user)
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1440, "height": 1100}
        )
        context.set_default_timeout(10_000)
        context.add_cookies(
            [
                {
                    "name": "sessionid",
                    "value": client.cookies["sessionid"].value,
                    "url": live_server.url,
                }
            ]
        )
        contexts.append(context)
        return context.new_page()

    yield open_as
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot():
    """Return a function saving a full-page screenshot under tests/artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)

    def save(page, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save


def release_until(page, held: list, done, *, seconds: float = 10) -> None:
    """Let held requests (``page.route`` handlers that kept them) through until ``done()``."""
    for _ in range(int(seconds * 50)):
        if done():
            return
        for route in held:
            route.continue_()
        held.clear()
        page.wait_for_timeout(20)
    raise AssertionError("The page never finished answering the held requests.")
