"""A flagged case discussed in the browser: the board flags it, an organiser writes in its discussion, a
reviewer reads the other review (only after submitting their own), replies and revises their scores, the
board shows the case's new mean, and the organiser closes the settled discussion, which the reviewer still reads."""

import pytest

from govcases.models import OutboxMessage
from reviews.models import DiscussionComment, Review
from reviews.services import review_save, review_submit
from tests import factories
from tests.reviews.scenario import build

from .browser import log_in, log_out, visit

pytestmark = pytest.mark.django_db(transaction=True)


def submit(built, assignment, value_of, comment):
    points = built.full_points(value_of)
    review_save(assignment=assignment, by=assignment.reviewer, points=points, comment=comment)
    review_submit(assignment=assignment, by=assignment.reviewer, points=points, comment=comment)


def test_a_flagged_case_is_discussed_and_a_score_revised(page, screenshot):
    round = factories.RoundFactory(year=2024)
    built = build(round)
    organiser = factories.OrganiserFactory()
    submit(built, built.a_shared, lambda criterion: criterion.max_points, "甲：创新突出，值得推广。")
    submit(built, built.b_shared, lambda criterion: 5, "乙：材料空泛，成效数据不足。")

    # The organiser finds the case flagged on the ranking board and asks the reviewers to talk.
    log_in(page, organiser)
    visit(page, f"/admin/reviews/rankingboard/{round.pk}/change/")
    row = page.locator(f"#case-{built.shared_case.pk}")
    assert "60.00" in row.inner_text()
    row.locator("a.discuss").click()
    page.fill("textarea[name=body]", "两位专家评分相差80分，请说明依据。")
    page.locator("#comment-form [type=submit]").click()
    assert "两位专家评分相差80分" in page.locator("#discussion").inner_text()
    screenshot(page, "01-organiser-discussion")
    log_out(page)

    # Reviewer B reads reviewer A's scores and comment without A's name, replies, and revises.
    log_in(page, built.reviewer_b)
    visit(page, f"/review/reviews/assignment/{built.b_shared.pk}/change/")
    page.locator("#discussion-link").click()
    reviews = page.locator("#reviews").inner_text()
    assert "甲：创新突出，值得推广。" in reviews and "100" in reviews
    assert "王甲" not in page.content()
    page.fill("textarea[name=body]", "补充材料显示成效明显，我会上调评分。")
    page.locator("#comment-form [type=submit]").click()
    assert "补充材料显示成效明显" in page.locator("#discussion").inner_text()
    for criterion in built.criteria:
        page.fill(f"#revision-form input[name=criterion_{criterion.pk}]", str(criterion.max_points - 2))
    page.fill("#revision-form textarea[name=reason]", "讨论后看到了运行数据。")
    page.locator("#revision-form [type=submit]").click()
    assert "20 → 92" in page.locator("#reviews").inner_text()
    screenshot(page, "02-reviewer-revised")
    log_out(page)

    review = Review.objects.get(assignment=built.b_shared)
    assert review.total == 92 and review.revisions.get().previous_total == 20
    assert DiscussionComment.objects.filter(case=built.shared_case).count() == 2
    assert OutboxMessage.objects.filter(kind="discussion_comment", recipient=organiser.email).exists()

    # The board shows the new mean at once, and the case no longer flagged.
    log_in(page, organiser)
    visit(page, f"/admin/reviews/rankingboard/{round.pk}/change/")
    row = page.locator(f"#case-{built.shared_case.pk}")
    assert "96.00" in row.inner_text()
    assert row.locator("a.discuss").count() == 0

    # Settled: the organiser closes the discussion, on a confirmation page, with a reason.
    visit(page, f"/admin/reviews/rankingboard/case/{built.shared_case.pk}/discussion/")
    page.locator("#close-discussion").click()
    assert "不能再发表评论" in page.locator("#closing-explained").inner_text()
    page.fill("#closing-form textarea[name=reason]", "评分依据已说明，分歧已消除。")
    page.locator("#closing-form [type=submit]").click()
    assert "评分依据已说明，分歧已消除。" in page.locator("#discussion-closing").inner_text()
    assert page.locator("#comment-form").count() == 0
    screenshot(page, "03-organiser-closed")
    visit(page, f"/admin/reviews/rankingboard/{round.pk}/change/")
    assert "讨论已关闭" in page.locator(f"#case-{built.shared_case.pk}").inner_text()
    log_out(page)

    # Reviewer B still reads it, and can no longer write in it.
    log_in(page, built.reviewer_b)
    visit(page, f"/review/reviews/assignment/{built.b_shared.pk}/discussion/")
    assert "评分依据已说明，分歧已消除。" in page.locator("#discussion-closing").inner_text()
    assert page.locator("#comment-form").count() == 0 and page.locator("#revision-form").count() == 0
    assert OutboxMessage.objects.filter(kind="discussion_closed", recipient=built.reviewer_b.email).exists()
