"""Triage and verification in the browser: the research team triages from the keyboard, the passed cases go to
review, the selection is verified, a failed check is resolved on the selection board, and publication waits
for it; the agency of the case put out in triage reads why at publication."""

from datetime import timedelta

import pytest
from django.utils import timezone

from govcases.enums import CaseStatus, Phase
from govcases.models import Case, Category
from reviews.enums import ReviewStatus
from tests import factories

from .accessibility import assert_accessible
from .browser import log_in, log_out, visit
from .test_whole_round import confirm_step, error_messages

pytestmark = pytest.mark.e2e

OUT_REASON = "属于常规业务系统建设，创新性不足"
DEAD_LINK = "服务链接打开后提示“页面不存在”"


def propose_and_start_verification(page, round) -> None:
    """The organiser, on the selection board: the proposal, then on to verification through its step page."""
    visit(page, f"/admin/reviews/selectionboard/{round.pk}/change/")
    with page.expect_navigation():
        page.locator("#propose-form button[value=propose]").click()
    with page.expect_navigation():
        page.locator("#to-verification a").click()
    with page.expect_navigation():
        page.locator("#step-form [type=submit]").click()
    round.refresh_from_db()
    assert round.phase == Phase.VERIFICATION, error_messages(page)


def check_case(page, round, case, failure: str = "") -> None:
    """The research team, on the verification list: the case's check passes, or fails with the reason."""
    visit(page, f"/admin/reviews/verificationboard/{round.pk}/change/")
    outcome = ".verification-pass"
    if failure:
        outcome = ".verification-fail"
        page.fill(f"#case-{case.pk} {outcome} input[name=reason]", failure)
    with page.expect_navigation():
        page.locator(f"#case-{case.pk} {outcome} button").click()


def replace_on_the_board(page, round, failed, replacement, reason: str) -> None:
    """The organiser, on the selection board: the case that failed its check out, another in, with a reason."""
    visit(page, f"/admin/reviews/selectionboard/{round.pk}/change/")
    with page.expect_navigation():
        page.locator(f"#row-{failed.pk} button[value=deselect]").click()
    page.fill(f"#row-{replacement.pk} input[name=reason]", reason)
    with page.expect_navigation():
        page.locator(f"#row-{replacement.pk} button[value=select]").click()


def publish_from_the_board(page, round) -> None:
    visit(page, f"/admin/reviews/selectionboard/{round.pk}/change/")
    with page.expect_navigation():
        page.locator("#publish-form button[value=publish]").click()


def test_triage_then_verification_with_a_failed_check_resolved(page, screenshot, transactional_db):
    round = factories.RoundFactory(
        year=2025,
        quotas=[1, 0, 0, 0],
        reviews_per_case=1,
        triage_enabled=True,
        verification_enabled=True,
        submission_deadline=timezone.now() - timedelta(days=1),
    )
    round.phase = Phase.TRIAGE
    round.save()
    disclosure = Category.objects.get(code="disclosure")
    first, second, weak = (
        factories.CaseFactory(round=round, category=disclosure, status=CaseStatus.SUBMITTED, title=title)
        for title in ("企业开办一日办结", "不动产登记一网通办", "办公系统升级改造")
    )
    officer = factories.AgencyMemberFactory(agency=weak.agency).user
    organiser = factories.OrganiserFactory()
    researcher = factories.ResearcherFactory()
    reviewer = factories.ReviewerFactory()

    # 1. The research team triages from the keyboard: Enter on a row's “Pass”; a reason and Enter puts one out.
    log_in(page, researcher)
    visit(page, f"/admin/reviews/triageboard/{round.pk}/change/")
    assert_accessible(page)
    for case in (first, second):
        page.locator(f"#case-{case.pk} .triage-pass button").focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
    page.locator(f"#case-{weak.pk} .triage-out input[name=reason]").focus()
    page.keyboard.type(OUT_REASON)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert OUT_REASON in page.locator(f"#case-{weak.pk} .triage-state").inner_text()
    assert page.locator("#count-disclosure td").all_inner_texts() == ["3", "2", "1", "0"]
    screenshot(page, "01-triage")
    log_out(page)

    # 2. The organiser enters review: nothing outstanding; only the passed cases go to the experts.
    log_in(page, organiser)
    confirm_step(page, round.pk)
    statuses = dict(Case.objects.filter(round=round).values_list("pk", "status"))
    assert statuses == {
        first.pk: CaseStatus.IN_REVIEW,
        second.pk: CaseStatus.IN_REVIEW,
        weak.pk: CaseStatus.SCREENED_OUT,
    }, error_messages(page)
    for case, total in ((first, 90), (second, 80)):
        factories.ReviewFactory(
            assignment=factories.AssignmentFactory(reviewer=reviewer, case=case),
            status=ReviewStatus.SUBMITTED,
            total=total,
        )
    confirm_step(page, round.pk)
    round.refresh_from_db()
    assert round.phase == Phase.SELECTION, error_messages(page)

    # 3. The proposal, then on to verification from the selection board.
    propose_and_start_verification(page, round)
    log_out(page)

    # 4. The research team fails the first case's check.
    log_in(page, researcher)
    check_case(page, round, first, failure=DEAD_LINK)
    assert DEAD_LINK in page.locator(f"#case-{first.pk} .verification-state").inner_text()
    assert_accessible(page)
    screenshot(page, "02-verification-failed")
    log_out(page)

    # 5. The organiser finds it on the board with the reason; publication is refused; the case is replaced.
    log_in(page, organiser)
    visit(page, f"/admin/reviews/selectionboard/{round.pk}/change/")
    assert DEAD_LINK in page.locator(f"#row-{first.pk} .verification-failed").inner_text()
    with page.expect_navigation():
        page.locator("#publish-form button[value=publish]").click()
    assert round.publications.count() == 0
    assert any("复核" in message for message in error_messages(page)), error_messages(page)
    replace_on_the_board(page, round, first, second, "复核未通过，递补")
    screenshot(page, "03-replaced")
    log_out(page)

    # 6. The replacement is checked and passes; the selection is published.
    log_in(page, researcher)
    check_case(page, round, second)
    log_out(page)
    log_in(page, organiser)
    publish_from_the_board(page, round)
    round.refresh_from_db()
    assert round.phase == Phase.PUBLISHED, error_messages(page)
    assert list(round.cases.filter(status=CaseStatus.PUBLISHED)) == [second]
    log_out(page)

    # 7. The agency of the case put out in triage reads the outcome and why.
    log_in(page, officer)
    visit(page, f"/portal/cases/{weak.pk}/")
    assert page.locator("#outcome.outcome-screened_out").is_visible()
    assert OUT_REASON in page.locator("#screening-reason").inner_text()
    screenshot(page, "04-portal-screened-out")
