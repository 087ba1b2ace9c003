"""Steps that many browser tests take: logging in and out, reading the page."""

from django.utils import translation

from govcases.permissions import needs_two_factor
from tests import factories
from tests.twofactor import authenticator, current_code


def log_in(page, user, password: str = factories.PASSWORD) -> None:
    """Logs in through the real login form (django-axes checks it, as in production). Organisers and
    reviewers then enter the code of their authenticator (the tests give them one), as on their phones."""
    device = authenticator(user) if needs_two_factor(user) else None
    page.goto("/accounts/login/")
    page.fill("input[name=username]", user.get_username())
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.locator("form:has(input[name=password]) [type=submit]").click()
    assert "/accounts/login/" not in page.url, f"login failed for {user}: {page.locator('main').inner_text()}"
    if device is not None:
        assert "/accounts/two-factor/" in page.url, f"no second step for {user}: {page.url}"
        page.fill("input[name=token]", current_code(device))
        with page.expect_navigation():
            page.locator("#two-factor-form [type=submit]").click()
        assert "/accounts/two-factor/" not in page.url, (
            f"code refused for {user}: {page.locator('main').inner_text()}"
        )


def log_out(page) -> None:
    """Forgets the session, as closing the browser would: the next role logs in on a clean slate."""
    page.context.clear_cookies()


def visit(page, path: str):
    """Opens a page and insists that it answered 200, so that a broken page fails here, by name."""
    response = page.goto(path)
    assert response is not None and response.status == 200, f"{path} answered {response and response.status}"
    return response


def in_chinese(message) -> str:
    """The wording a Chinese visitor sees of an English message id or a lazy label (the English source
    until the zh_Hans catalogue has it), so that a test passes before and after the translators' pass."""
    with translation.override("zh-hans"):
        return translation.gettext(str(message))


def fill_scores(page, criteria, points, comment: str) -> None:
    """On a reviewer's scoring page: the points of each criterion, in order, and the comment."""
    for criterion, value in zip(criteria, points, strict=True):
        page.fill(f"[name=criterion_{criterion.pk}]", str(value))
    page.fill("[name=comment]", comment)


def submit_review(page, total: int) -> None:
    """Submits the scored review: the confirmation page states the total that will be locked, then confirms."""
    with page.expect_navigation():
        page.locator("[name=_submit]").click()
    assert page.locator("#confirm-total").inner_text().replace(" ", "") == f"{total}/100"
    with page.expect_navigation():
        page.locator("#confirm-submit").click()
