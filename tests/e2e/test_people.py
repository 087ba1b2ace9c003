"""People without a superuser, in the browser: the organiser invites a reviewer by uploading a spreadsheet,
the reviewer chooses a password through the e-mailed link, signs in and scores the case assigned to them; after
the round is published she still reads her review."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from openpyxl import Workbook

from govcases.enums import CaseStatus, Phase
from govcases.models import Category, OutboxMessage
from govcases.services import round_phase_set
from reviews.models import Assignment, Criterion
from reviews.services import round_publish, selection_decide
from tests import factories

from .accessibility import assert_accessible
from .browser import fill_scores, log_in, log_out, submit_review, visit
from .test_whole_round import error_messages

pytestmark = pytest.mark.e2e

REVIEWER_EMAIL = "wangfang@cass.example.cn"
PASSWORD = "青山绿水-review-2025"
POINTS = [26, 24, 17, 16]  # within the 2024 rubric's maxima 30/30/20/20


def reviewers_xlsx(path) -> str:
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "电子邮箱", "工作单位", "评审类别", "回避单位"])
    sheet.append(["王芳", REVIEWER_EMAIL, "中国社会科学院", "公开解读", ""])
    book.save(path)
    return str(path)


def test_an_invited_reviewer_sets_a_password_from_the_email_and_scores_a_case(
    page, screenshot, transactional_db, tmp_path
):
    round = factories.RoundFactory(
        year=2025, phase=Phase.REVIEW, quotas=[1, 0, 0, 0], reviews_per_case=1,
        review_deadline=timezone.now() + timedelta(days=20),
    )  # fmt: skip
    disclosure = Category.objects.get(code="disclosure")
    factories.rubric(round, disclosure)
    case = factories.CaseFactory(
        round=round, category=disclosure, status=CaseStatus.IN_REVIEW, title="杭州“浙里办”一网通办"
    )
    organiser = factories.OrganiserFactory()

    # 1. The organiser finds the button on the reviewers' list and uploads the spreadsheet; the preview
    #    shows the row, and confirming invites her.
    log_in(page, organiser)
    visit(page, "/admin/reviews/reviewerprofile/")
    assert page.locator("#invite-one").inner_text() == "邀请评审专家"
    with page.expect_navigation():
        page.locator("#invite-spreadsheet").click()
    page.set_input_files("input[name=import_file]", reviewers_xlsx(tmp_path / "评审专家名单.xlsx"))
    page.select_option("select[name=format]", label="xlsx")
    with page.expect_navigation():
        page.locator("form:has(input[name=import_file]) [type=submit]").click()
    screenshot(page, "01-preview")
    assert REVIEWER_EMAIL in page.locator("table.import-preview").inner_text()
    with page.expect_navigation():
        page.locator("form[action$='process_import/'] [type=submit]").click()
    screenshot(page, "02-imported")
    reviewer = User.objects.get(email=REVIEWER_EMAIL)
    assert not reviewer.has_usable_password()

    # The organiser assigns the round's reviewers from its progress board.
    visit(page, f"/admin/reviews/reviewprogress/{round.pk}/change/")
    with page.expect_navigation():
        page.locator("form[action$='/assign/'] [type=submit]").click()
    assert list(Assignment.objects.filter(case=case).values_list("reviewer", flat=True)) == [reviewer.pk]
    log_out(page)

    # 2. The reviewer opens the link of the invitation e-mail (as the outbox holds it), which names her user
    #    name, and chooses a password.
    invitation = OutboxMessage.objects.get(recipient=REVIEWER_EMAIL, kind="invitation")
    assert REVIEWER_EMAIL in invitation.body and round.title in invitation.body
    link = re.search(r"https?://[^/\s]+(/accounts/invitation/\S+/)", invitation.body).group(1)
    visit(page, link)
    assert REVIEWER_EMAIL in page.locator("#invitation-username").inner_text()
    assert_accessible(page)
    page.fill("input[name=new_password1]", PASSWORD)
    page.fill("input[name=new_password2]", PASSWORD)
    screenshot(page, "03-choose-password")
    with page.expect_navigation():
        page.locator("#set-password [type=submit]").click()
    assert page.locator("main a.button.primary").count() == 1  # "log in now"

    # 3. She signs in with her e-mail address and the password (and her authenticator's code) and scores
    #    the case assigned to her.
    log_in(page, reviewer, password=PASSWORD)
    assert "/review/" in page.url
    visit(page, "/review/reviews/assignment/")
    with page.expect_navigation():
        page.get_by_role("link", name=case.title).click()
    criteria = list(Criterion.objects.filter(round=round, category=disclosure).order_by("position"))
    fill_scores(page, criteria, POINTS, "服务整合度高，可推广。")
    screenshot(page, "04-scoring")
    submit_review(page, sum(POINTS))
    review = Assignment.objects.get(case=case).review
    assert (review.status, review.total) == ("submitted", sum(POINTS)), error_messages(page)

    # 4. The organiser selects the case and publishes the round; the reviewer's review stays hers to read,
    #    read-only, from the history her queue links to.
    round_phase_set(round=round, to=Phase.SELECTION, by=organiser)
    selection_decide(case=case, selected=True, by=organiser)
    round_publish(round=round, by=organiser)
    visit(page, "/review/reviews/assignment/")
    with page.expect_navigation():
        page.locator("#history-link a").click()
    line = page.locator(f"#history-line-{review.assignment_id}")
    assert case.title in line.inner_text()
    assert line.locator(".history-state").inner_text().startswith("提交于")
    assert line.locator(".points").inner_text() == str(sum(POINTS))
    assert "服务整合度高，可推广。" in line.inner_text()
    screenshot(page, "05-history")
    with page.expect_navigation():
        line.get_by_role("link", name=case.title).click()
    assert page.locator("#review-locked").is_visible()
    assert page.locator("input[name=_submit], input[name=_save]").count() == 0
    assert "服务整合度高，可推广。" in page.content()
