"""A reviewer's own say, in a real browser: the running total while typing, the draft saved without pressing
anything (and a refused value reported, not lost), and a case given back on its confirmation page."""

import re

import pytest

from govcases.enums import CaseStatus, Phase
from govcases.models import Category, OutboxMessage
from reviews.models import Assignment, Recusal, Review
from reviews.services import round_bidding_set
from tests import factories

from .accessibility import assert_accessible
from .browser import in_chinese, log_in, visit

expect = pytest.importorskip("playwright.sync_api", reason="the browser tests need playwright").expect
SAVED_AT = re.compile(r"\d\d:\d\d")
FAILED = re.compile(r"\bfailed\b")


@pytest.fixture
def scoring(transactional_db):
    """A round in review with a rubric; a reviewer with two cases, another who may take one, an organiser."""
    round = factories.RoundFactory(year=2024, phase=Phase.REVIEW, reviews_per_case=1)
    disclosure = Category.objects.get(code="disclosure")
    criteria = factories.rubric(round, disclosure)
    reviewer = factories.ReviewerFactory(first_name="甲", last_name="王")
    factories.ReviewerFactory(username="standby")
    organiser = factories.OrganiserFactory()
    cases = [
        factories.CaseFactory(round=round, category=disclosure, status=CaseStatus.IN_REVIEW, title=title)
        for title in ("政策文件图解专栏", "惠企政策免申即享")
    ]
    assignments = [factories.AssignmentFactory(reviewer=reviewer, case=case) for case in cases]
    round_bidding_set(round=round, opened=True, by=organiser)
    return {"reviewer": reviewer, "criteria": criteria, "assignments": assignments, "cases": cases}


def test_the_running_total_the_autosave_and_giving_a_case_back(page, screenshot, scoring):
    first, second = scoring["assignments"]
    criteria = scoring["criteria"]
    log_in(page, scoring["reviewer"])
    visit(page, f"/review/reviews/assignment/{first.pk}/change/")
    total = page.locator("#running-total")
    status = page.locator("#autosave-status")
    assert total.inner_text() == "0"

    # The total follows the typing; the draft is saved a moment later without any button.
    page.fill(f"#id_criterion_{criteria[0].pk}", "25")
    assert total.inner_text() == "25"
    page.fill(f"#id_criterion_{criteria[1].pk}", "18")
    assert total.inner_text() == "43"
    page.fill("#id_comment", "创新明显，数据翔实")
    expect(status).to_have_text(SAVED_AT)
    expect(status).not_to_have_class(FAILED)
    screenshot(page, "autosaved")
    review = Review.objects.get(assignment=first)
    assert sorted(review.scores.values_list("points", flat=True)) == [18, 25]
    assert review.comment == "创新明显，数据翔实"

    # A value beyond the criterion's maximum is refused by the server: the status says so, the page keeps
    # what was typed and the last good draft stays saved.
    page.fill(f"#id_criterion_{criteria[0].pk}", "999")
    expect(status).to_have_class(FAILED)
    # The browser logs the refusal (400) it was meant to get: expected here, and only here.
    refused = [problem for problem in page.problems if "status of 400" in problem]
    assert len(refused) == 1
    page.problems.remove(refused[0])
    assert page.input_value(f"#id_criterion_{criteria[0].pk}") == "999"
    assert sorted(Review.objects.get(assignment=first).scores.values_list("points", flat=True)) == [18, 25]
    page.fill(f"#id_criterion_{criteria[0].pk}", "24")
    expect(status).not_to_have_class(FAILED)
    expect(status).to_have_text(SAVED_AT)
    assert sorted(Review.objects.get(assignment=first).scores.values_list("points", flat=True)) == [18, 24]
    # Coming back later, the page shows the draft and its total before any script runs.
    visit(page, f"/review/reviews/assignment/{first.pk}/change/")
    assert total.inner_text() == "42" and SAVED_AT.search(status.inner_text())

    # Giving the second case back: a confirmation page, a reason, then the queue without it.
    visit(page, f"/review/reviews/assignment/{second.pk}/change/")
    page.click("#decline-link")
    assert "/decline/" in page.url
    assert_accessible(page)
    page.check("input[name=kind][value=conflict]")
    page.fill("#id_reason", "本人曾参与该平台建设")
    screenshot(page, "decline")
    with page.expect_navigation():
        page.locator("#decline-form [type=submit]").click()
    assert page.url.endswith("/review/reviews/assignment/")
    assert (
        in_chinese("“%(case)s” left your queue; the organisers were told.")
        % {"case": scoring["cases"][1].title}
        in page.locator(".messagelist").inner_text()
    )
    assert not Assignment.objects.filter(pk=second.pk).exists()
    recusal = Recusal.objects.get()
    assert (recusal.kind, recusal.reason, recusal.proposed.username) == (
        "conflict",
        "本人曾参与该平台建设",
        "standby",
    )
    assert OutboxMessage.objects.filter(kind="review_declined").count() == 1


def test_the_bidding_list_works_with_the_keyboard_alone(page, screenshot, scoring):
    round = scoring["cases"][0].round
    round.refresh_from_db()
    round.phase = Phase.SUBMISSION
    round.save()
    Assignment.objects.all().delete()
    case = scoring["cases"][0]
    log_in(page, scoring["reviewer"])
    visit(page, "/review/reviews/bids/")
    assert_accessible(page)
    # Tab reaches the case's group of choices; the arrows move within it; Enter submits the form.
    page.focus(f"#bid-{case.pk}-none")
    page.keyboard.press("ArrowRight")
    assert page.is_checked(f"#bid-{case.pk}-keen")
    screenshot(page, "bids")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert case.bids.get().choice == "keen"
    assert page.is_checked(f"#bid-{case.pk}-keen")
