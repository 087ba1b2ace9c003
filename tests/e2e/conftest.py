"""Browser tests: Playwright for Python driving Debian's chromium against pytest-django's live server.

Every test here gets a fresh browser context (Chinese locale, like the agencies' office browsers) and saves
screenshots of its steps to tests/e2e/screenshots/ (git-ignored) for a human to look at.
"""

import os
import re
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("GOVCASES_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).parent / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}


@pytest.fixture(scope="session")
def live_server(request, tmp_path_factory):
    """pytest-django's live server, with an existing (empty) STATIC_ROOT: WhiteNoise warns about a missing
    one when the server loads its middleware, and warnings are errors. Static files still come from
    STATICFILES_DIRS through the live server's static handler, as with `runserver`."""
    from django.test.utils import override_settings
    from pytest_django.live_server_helper import LiveServer

    address = (
        request.config.getvalue("liveserver") or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost"
    )
    with override_settings(STATIC_ROOT=tmp_path_factory.mktemp("static_root")):
        server = LiveServer(address)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    if shutil.which(CHROMIUM) is None:
        pytest.skip(f"the browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)")
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="the browser tests need the playwright package"
    )
    with pytest.MonkeyPatch.context() as patch, sync_api.sync_playwright() as playwright:
        # Playwright's sync API keeps an asyncio event loop in this thread while the browser runs. Django
        # sees it and refuses ORM calls here (SynchronousOnlyOperation), although the tests' set-up and
        # checks between browser steps are plain synchronous code that never runs inside the loop. The
        # check is a development guard against blocking a loop, which cannot happen here: switch it off
        # for as long as the browser runs.
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def open_context(browser, live_server, **options):
    """A browser context as a Chinese office browser would be. Uploaded files come from the site's own
    permission-checked view (/files/…), as they do in production without nginx."""
    options = {"locale": "zh-CN", "timezone_id": "Asia/Shanghai", "viewport": DESKTOP, **options}
    context = browser.new_context(base_url=live_server.url, **options)
    context.set_default_timeout(10_000)
    # Chromium asks every site for /favicon.ico; the site has none, and the 404 would be logged as a console
    # error of whichever page was open.
    context.route(f"{live_server.url}/favicon.ico", lambda route: route.fulfill(status=204))
    return context


@pytest.fixture
def context(browser, live_server):
    context = open_context(browser, live_server)
    yield context
    context.close()


def watched_page(context):
    """A tab that records what the browser complains about: uncaught script errors and console errors
    (among them the Content-Security-Policy's refusals of inline scripts and styles)."""
    page = context.new_page()
    page.problems = []
    page.on("pageerror", lambda error: page.problems.append(f"script error on {page.url}: {error}"))
    page.on(
        "console",
        lambda message: (
            message.type == "error" and page.problems.append(f"console on {page.url}: {message.text}")
        ),
    )
    return page


def assert_no_problems(page) -> None:
    assert not page.problems, "the browser reported problems:\n" + "\n".join(page.problems)


@pytest.fixture
def page(context):
    page = watched_page(context)
    yield page
    assert_no_problems(page)


@pytest.fixture
def screenshot(request):
    """screenshot(page, "step") saves tests/e2e/screenshots/<test name>-<step>.png (the whole page)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    test_name = re.sub(r"[^\w.-]+", "_", request.node.name)

    def save(page, step: str) -> Path:
        path = SCREENSHOTS / f"{test_name}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save
