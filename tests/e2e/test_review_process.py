"""The review process as the real round runs it, in one browser: the research team triages, the organiser
assigns, a reviewer gives a case back and the solver's replacement is accepted, a disagreement is discussed and
a score revised, the provisional selection is verified (one check fails and is resolved) and published."""

from datetime import timedelta

import pytest
from django.utils import timezone

from govcases.enums import CaseStatus, Phase
from govcases.models import Case, Category
from reviews.models import Assignment, Criterion, Recusal, Review
from reviews.services import review_save, review_submit
from tests import factories

from .browser import fill_scores, log_in, log_out, submit_review, visit
from .test_stages import (
    check_case,
    propose_and_start_verification,
    publish_from_the_board,
    replace_on_the_board,
)
from .test_whole_round import confirm_step, error_messages

pytestmark = pytest.mark.e2e

HIGH = [30, 30, 20, 20]  # the 2024 rubric's maxima: 100
LOW = [10, 10, 5, 5]  # 30: a range of 70 flags the case
REVISED = [27, 27, 18, 18]  # 90
STEADY = [26, 26, 17, 16]  # 85


def scored_by_service(assignment, criteria, points, comment):
    """A review written and submitted as the reviewer's own page would (the browser plays the ones that matter)."""
    values = {criterion.pk: value for criterion, value in zip(criteria, points, strict=True)}
    review_save(assignment=assignment, by=assignment.reviewer, points=values, comment=comment)
    review_submit(assignment=assignment, by=assignment.reviewer, points=values, comment=comment)


def test_triage_review_with_a_case_given_back_and_a_discussion_then_verification(
    page, screenshot, transactional_db
):
    round = factories.RoundFactory(
        year=2025,
        quotas=[1, 0, 0, 0],
        reviews_per_case=2,
        triage_enabled=True,
        verification_enabled=True,
        submission_deadline=timezone.now() - timedelta(days=1),
        review_deadline=timezone.now() + timedelta(days=10),
    )
    round.phase = Phase.TRIAGE
    round.save()
    disclosure = Category.objects.get(code="disclosure")
    factories.rubric(round, disclosure)
    criteria = list(Criterion.objects.filter(round=round, category=disclosure).order_by("position"))
    steady, disputed, weak = (
        factories.CaseFactory(round=round, category=disclosure, status=CaseStatus.SUBMITTED, title=title)
        for title in ("企业开办一日办结", "不动产登记一网通办", "办公系统升级改造")
    )
    organiser = factories.OrganiserFactory()
    researcher = factories.ResearcherFactory()
    experts = [factories.ReviewerFactory(username=f"expert{number}") for number in range(3)]

    # 1. Triage: two cases pass, the third is put out with a reason.
    log_in(page, researcher)
    visit(page, f"/admin/reviews/triageboard/{round.pk}/change/")
    for case in (steady, disputed):
        with page.expect_navigation():
            page.locator(f"#case-{case.pk} .triage-pass button").click()
    page.fill(f"#case-{weak.pk} .triage-out input[name=reason]", "属于常规业务系统建设，创新性不足")
    with page.expect_navigation():
        page.locator(f"#case-{weak.pk} .triage-out button").click()
    log_out(page)

    # 2. The organiser enters review and assigns two experts to each passed case from the progress board.
    log_in(page, organiser)
    confirm_step(page, round.pk)
    assert Case.objects.get(pk=weak.pk).status == CaseStatus.SCREENED_OUT, error_messages(page)
    visit(page, f"/admin/reviews/reviewprogress/{round.pk}/change/")
    with page.expect_navigation():
        page.locator("form[action$='/assign/'] [type=submit]").click()
    assert Assignment.objects.filter(case__round=round).count() == 4, error_messages(page)
    log_out(page)

    # 3. One of the disputed case's experts gives it back; the third expert, the only one free, is proposed.
    giving_back = Assignment.objects.filter(case=disputed).order_by("reviewer__username").first()
    staying = Assignment.objects.filter(case=disputed).exclude(pk=giving_back.pk).get()
    (third,) = [expert for expert in experts if expert not in (giving_back.reviewer, staying.reviewer)]
    log_in(page, giving_back.reviewer)
    visit(page, f"/review/reviews/assignment/{giving_back.pk}/change/")
    with page.expect_navigation():
        page.click("#decline-link")
    assert "/decline/" in page.url, page.locator("main").inner_text()
    page.check("input[name=kind][value=decline]")
    page.fill("#id_reason", "近期出差，无法按时完成")
    with page.expect_navigation():
        page.locator("#decline-form [type=submit]").click()
    assert not Assignment.objects.filter(pk=giving_back.pk).exists(), error_messages(page)
    log_out(page)

    # The organiser accepts the proposal on the progress board.
    recusal = Recusal.objects.get(case=disputed)
    assert recusal.proposed == third
    log_in(page, organiser)
    visit(page, f"/admin/reviews/reviewprogress/{round.pk}/change/")
    screenshot(page, "01-replacement-proposed")
    with page.expect_navigation():
        page.locator(f"#recusal-{recusal.pk} button[value=replace]").click()
    assert set(Assignment.objects.filter(case=disputed).values_list("reviewer", flat=True)) == {
        staying.reviewer_id,
        third.pk,
    }, error_messages(page)
    log_out(page)

    # 4. The steady case is scored alike by both; the replacement scores the disputed case in full in the
    #    browser while the other expert scored it low: the case is flagged.
    for assignment in Assignment.objects.filter(case=steady):
        scored_by_service(assignment, criteria, STEADY, "做法扎实，成效可见。")
    scored_by_service(staying, criteria, LOW, "材料空泛，成效数据不足。")
    log_in(page, third)
    replacement = Assignment.objects.get(case=disputed, reviewer=third)
    visit(page, f"/review/reviews/assignment/{replacement.pk}/change/")
    fill_scores(page, criteria, HIGH, "流程再造彻底，数据共享充分。")
    submit_review(page, sum(HIGH))
    assert Review.objects.get(assignment=replacement).status == "submitted", error_messages(page)
    log_out(page)

    # 5. The low scorer reads the other review in the discussion, answers and revises (the earlier version kept).
    log_in(page, staying.reviewer)
    visit(page, f"/review/reviews/assignment/{staying.pk}/change/")
    with page.expect_navigation():
        page.locator("#discussion-link").click()
    assert "流程再造彻底，数据共享充分。" in page.locator("#reviews").inner_text()
    page.fill("#comment-form textarea[name=body]", "看到运行数据后，我同意上调评分。")
    with page.expect_navigation():
        page.locator("#comment-form [type=submit]").click()
    for criterion, value in zip(criteria, REVISED, strict=True):
        page.fill(f"#revision-form input[name=criterion_{criterion.pk}]", str(value))
    page.fill("#revision-form textarea[name=reason]", "讨论后看到了运行数据。")
    with page.expect_navigation():
        page.locator("#revision-form [type=submit]").click()
    assert "30 → 90" in page.locator("#reviews").inner_text(), error_messages(page)
    screenshot(page, "02-discussed-and-revised")
    revised = Review.objects.get(assignment=staying)
    assert (revised.total, revised.revisions.get().previous_total) == (90, 30)
    log_out(page)

    # 6. Selection: the proposal takes the disputed case (95 against 85); on to verification.
    log_in(page, organiser)
    confirm_step(page, round.pk)
    round.refresh_from_db()
    assert round.phase == Phase.SELECTION, error_messages(page)
    propose_and_start_verification(page, round)
    log_out(page)

    # 7. The research team's check of the disputed case fails; the organiser replaces it; the replacement
    #    passes its check and the selection is published.
    log_in(page, researcher)
    check_case(page, round, disputed, failure="与2023年入选案例为同一项目")
    log_out(page)
    log_in(page, organiser)
    replace_on_the_board(page, round, disputed, steady, "复核未通过，递补")
    log_out(page)
    log_in(page, researcher)
    check_case(page, round, steady)
    log_out(page)
    log_in(page, organiser)
    publish_from_the_board(page, round)
    round.refresh_from_db()
    assert round.phase == Phase.PUBLISHED, error_messages(page)
    assert list(round.cases.filter(status=CaseStatus.PUBLISHED)) == [steady]
    screenshot(page, "03-published")
