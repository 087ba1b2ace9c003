"""Disagreement handled: a flagged case's discussion (readable only after one's own review), reviews revised
after it with the earlier version kept, and one more reviewer added from the ranking board."""

from contextlib import contextmanager

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from govcases.enums import Phase
from govcases.exceptions import Refused
from govcases.models import OutboxMessage, Profile, Round
from reviews import discussion, selectors
from reviews.enums import BidChoice, ReviewStatus
from reviews.models import (
    Assignment,
    Bid,
    DiscussionComment,
    Review,
    ReviewerAddition,
    ReviewerProfile,
    ReviewRevision,
)
from reviews.services import (
    discussion_comment_post,
    review_revise,
    review_save,
    review_submit,
    reviewer_add,
)
from tests import factories

from .scenario import in_review_case

pytestmark = pytest.mark.django_db


@contextmanager
def refused(match: str):
    """The service refuses, saying `match` (in English; the pages before may have switched to Chinese)."""
    with translation.override("en"), pytest.raises(Refused, match=match):
        yield


def discussion_url(assignment):
    return reverse("review:reviews_assignment_discussion", args=[assignment.pk])


def submit(built, assignment, value_of, comment=""):
    points = built.full_points(value_of)
    review_save(assignment=assignment, by=assignment.reviewer, points=points, comment=comment)
    return review_submit(assignment=assignment, by=assignment.reviewer, points=points, comment=comment)


def disagree(built):
    """Reviewer A scores the shared case 100, reviewer B 20: the case is flagged."""
    submit(built, built.a_shared, lambda criterion: criterion.max_points, comment="甲：创新突出，值得推广。")
    submit(built, built.b_shared, lambda criterion: 5, comment="乙：材料空泛，成效数据不足。")


def revision_data(built, points, reason="讨论后调整", comment="修订后的意见"):
    data = {f"criterion_{pk}": value for pk, value in points.items()}
    return {**data, "comment": comment, "reason": reason, "_revise": "1"}


# --- reading: only after one's own review -------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_reviewer_who_has_not_submitted_cannot_read_or_write_the_discussion(client, scenario, method):
    submit(scenario, scenario.a_shared, lambda criterion: criterion.max_points, comment="甲的意见")
    submit_b = scenario.full_points(lambda criterion: 5)
    review_save(assignment=scenario.b_shared, by=scenario.reviewer_b, points=submit_b, comment="乙的草稿")
    client.force_login(scenario.reviewer_b)
    url = discussion_url(scenario.b_shared)
    if method == "post":
        response = client.post(url, {"body": "我还没提交", "_comment": "1"})
    else:
        response = client.get(url)
    assert response.status_code == 403
    page = response.content.decode()
    assert "甲的意见" not in page and "100" not in page
    assert not DiscussionComment.objects.exists()
    with pytest.raises(Refused):
        discussion_comment_post(case=scenario.shared_case, by=scenario.reviewer_b, body="绕过页面")
    assert not DiscussionComment.objects.exists()


def test_another_reviewers_discussion_is_not_found(client, scenario):
    disagree(scenario)
    outsider = factories.ReviewerFactory()
    client.force_login(outsider)
    assert client.get(discussion_url(scenario.a_shared)).status_code == 404
    with pytest.raises(Refused):
        discussion_comment_post(case=scenario.shared_case, by=outsider, body="我不是这个案例的评审")


def test_a_case_whose_reviewers_agree_has_no_discussion(client, scenario):
    submit(scenario, scenario.a_shared, lambda criterion: criterion.max_points - 2)
    submit(scenario, scenario.b_shared, lambda criterion: criterion.max_points - 3)
    client.force_login(scenario.reviewer_a)
    assert client.get(discussion_url(scenario.a_shared)).status_code == 404
    with refused("no discussion"):
        discussion_comment_post(case=scenario.shared_case, by=scenario.reviewer_a, body="我们意见一致")
    scoring = client.get(reverse("review:reviews_assignment_change", args=[scenario.a_shared.pk]))
    assert discussion_url(scenario.a_shared) not in scoring.content.decode()


def test_after_submitting_a_reviewer_reads_the_other_reviews_without_names(client, scenario):
    disagree(scenario)
    client.force_login(scenario.reviewer_a)
    scoring = client.get(reverse("review:reviews_assignment_change", args=[scenario.a_shared.pk]))
    assert discussion_url(scenario.a_shared) in scoring.content.decode()
    queue = client.get(reverse("review:reviews_assignment_changelist")).content.decode()
    assert discussion_url(scenario.a_shared) in queue
    assert discussion_url(scenario.a_only) not in queue

    page = client.get(discussion_url(scenario.a_shared)).content.decode()
    assert "乙：材料空泛，成效数据不足。" in page and "甲：创新突出，值得推广。" in page
    assert ">20<" in page and ">100<" in page
    assert "评审专家B" in page or "Reviewer B" in page
    assert "李乙" not in page and "reviewer_b" not in page


# --- writing: comments and their e-mails ---------------------------------------------------------------------


def test_a_comment_tells_the_other_reviewers_and_organisers_in_their_language(client, scenario, organiser):
    disagree(scenario)
    Profile.objects.create(user=scenario.reviewer_b, language="en")
    discussion_comment_post(case=scenario.shared_case, by=organiser, body="请两位专家说明评分依据。")
    client.force_login(scenario.reviewer_a)
    response = client.post(
        discussion_url(scenario.a_shared), {"body": "数据来自省级平台统计。", "_comment": "1"}
    )
    assert response.status_code == 302

    comment = DiscussionComment.objects.get(body="数据来自省级平台统计。")
    assert comment.author == scenario.reviewer_a and comment.case == scenario.shared_case
    mails = list(OutboxMessage.objects.filter(kind="discussion_comment"))
    after = {message.recipient: message for message in mails if "数据来自省级平台统计" in message.body}
    assert set(after) == {scenario.reviewer_b.email, organiser.email}
    english = after[scenario.reviewer_b.email]
    assert english.language == "en"
    assert english.subject == f"New comment on “{scenario.shared_case.title}”"
    assert "Reviewer A wrote" in english.body and "王甲" not in english.body
    assert discussion_url(scenario.b_shared) in english.body
    chinese = after[organiser.email]
    assert chinese.language == "zh-hans" and chinese.subject.startswith("新评论")
    assert "王甲" in chinese.body  # the organisers know who the reviewers are
    assert reverse("admin:reviews_rankingboard_discussion", args=[scenario.shared_case.pk]) in chinese.body
    # The organiser's own comment went to both reviewers, and nobody hears of their own comment.
    first = [message for message in mails if "请两位专家" in message.body]
    assert {message.recipient for message in first} == {scenario.reviewer_a.email, scenario.reviewer_b.email}
    page = client.get(discussion_url(scenario.a_shared)).content.decode()
    assert "请两位专家说明评分依据。" in page and "数据来自省级平台统计。" in page


def test_an_empty_comment_is_refused_and_what_was_typed_is_kept(client, scenario):
    disagree(scenario)
    client.force_login(scenario.reviewer_a)
    response = client.post(discussion_url(scenario.a_shared), {"body": "   ", "_comment": "1"})
    assert response.status_code == 200
    assert not DiscussionComment.objects.exists()
    revision = revision_data(scenario, scenario.full_points(lambda criterion: 200))
    response = client.post(discussion_url(scenario.a_shared), revision)
    assert response.status_code == 200
    assert "200" in response.content.decode() and "讨论后调整" in response.content.decode()
    assert not ReviewRevision.objects.exists()


def test_the_discussion_closes_with_publication(scenario, organiser):
    disagree(scenario)
    Round.objects.filter(pk=scenario.round.pk).update(phase=Phase.PUBLISHED)
    with refused("closed"):
        discussion_comment_post(case=scenario.shared_case, by=scenario.reviewer_a, body="还能说吗")
    review = Review.objects.get(assignment=scenario.a_shared)
    with refused("closed"):
        review_revise(
            review=review,
            by=scenario.reviewer_a,
            points=scenario.full_points(),
            comment="",
            reason="迟到的修改",
        )


# --- revising: audited, the earlier version kept, the boards up to date -------------------------------------


def test_a_revision_keeps_the_earlier_review_and_moves_the_ranking(client, scenario):
    disagree(scenario)
    before = Round.objects.get(pk=scenario.round.pk).revision
    row = next(
        r for r in selectors.ranking_rows(round=scenario.round) if r.case.pk == scenario.shared_case.pk
    )
    assert row.flagged and row.mean == 60

    client.force_login(scenario.reviewer_b)
    new_points = scenario.full_points(lambda criterion: criterion.max_points - 2)
    response = client.post(discussion_url(scenario.b_shared), revision_data(scenario, new_points))
    assert response.status_code == 302

    review = Review.objects.get(assignment=scenario.b_shared)
    assert review.total == 92 and review.comment == "修订后的意见" and review.status == ReviewStatus.SUBMITTED
    revision = review.revisions.get()
    assert revision.previous_total == 20 and revision.total == 92
    assert revision.previous_comment == "乙：材料空泛，成效数据不足。"
    assert revision.previous_points == {str(criterion.pk): 5 for criterion in scenario.criteria}
    assert revision.by == scenario.reviewer_b and revision.reason == "讨论后调整"
    assert Round.objects.get(pk=scenario.round.pk).revision > before
    row = next(
        r for r in selectors.ranking_rows(round=scenario.round) if r.case.pk == scenario.shared_case.pk
    )
    assert row.mean == 96 and not row.flagged
    # The discussion stays open once revised, and shows the earlier total.
    page = client.get(discussion_url(scenario.b_shared)).content.decode()
    assert "20 → 92" in page


def test_a_revision_is_refused_without_reason_without_change_and_to_others(scenario):
    disagree(scenario)
    review = Review.objects.get(assignment=scenario.b_shared)
    same = {score.criterion_id: score.points for score in review.scores.all()}
    with refused("why"):
        review_revise(review=review, by=scenario.reviewer_b, points=same, comment="x", reason=" ")
    with refused("Nothing changed"):
        review_revise(
            review=review, by=scenario.reviewer_b, points=same, comment=review.comment, reason="同上"
        )
    with refused("Only the reviewer"):
        review_revise(
            review=review, by=scenario.reviewer_a, points=scenario.full_points(), comment="", reason="代改"
        )
    partial = {**same, scenario.criteria[0].pk: None}
    with refused("Score every criterion"):
        review_revise(review=review, by=scenario.reviewer_b, points=partial, comment="", reason="漏填")
    assert not ReviewRevision.objects.exists()


def test_a_draft_or_an_undiscussed_review_cannot_be_revised(scenario):
    submit(scenario, scenario.a_only, lambda criterion: criterion.max_points)
    review = Review.objects.get(assignment=scenario.a_only)
    with refused("discussed"):
        review_revise(
            review=review, by=scenario.reviewer_a, points=scenario.full_points(), comment="", reason="想改"
        )
    review_save(assignment=scenario.a_shared, by=scenario.reviewer_a, points=scenario.full_points())
    draft = Review.objects.get(assignment=scenario.a_shared)
    with refused("submitted"):
        review_revise(
            review=draft, by=scenario.reviewer_a, points=scenario.full_points(), comment="", reason="想改"
        )


# --- the organisers' side ------------------------------------------------------------------------------------


def test_organisers_read_names_and_revisions_and_post_from_the_admin(client, scenario, organiser):
    disagree(scenario)
    review = Review.objects.get(assignment=scenario.b_shared)
    review_revise(
        review=review,
        by=scenario.reviewer_b,
        points=scenario.full_points(lambda criterion: 10),
        comment="再看一遍",
        reason="补充材料后上调",
    )
    client.force_login(organiser)
    board = client.get(
        reverse("admin:reviews_rankingboard_change", args=[scenario.round.pk])
    ).content.decode()
    url = reverse("admin:reviews_rankingboard_discussion", args=[scenario.shared_case.pk])
    assert url in board
    page = client.get(url).content.decode()
    assert "王甲" in page and "李乙" in page and "补充材料后上调" in page and "20 → 40" in page
    assert scenario.shared_case.agency.name in page
    response = client.post(url, {"body": "请甲专家也复核一下。"})
    assert response.status_code == 302
    assert DiscussionComment.objects.get().author == organiser
    history = client.get(reverse("admin:reviews_review_change", args=[review.pk])).content.decode()
    assert "补充材料后上调" in history


def test_an_organiser_comment_opens_the_discussion_of_a_case_that_is_not_flagged(client, scenario, organiser):
    submit(scenario, scenario.a_shared, lambda criterion: criterion.max_points - 2)
    submit(scenario, scenario.b_shared, lambda criterion: criterion.max_points - 3)
    assert not discussion.discussion_open(scenario.shared_case)
    discussion_comment_post(case=scenario.shared_case, by=organiser, body="两位专家评分接近，但请核实链接。")
    client.force_login(scenario.reviewer_b)
    page = client.get(discussion_url(scenario.b_shared)).content.decode()
    assert "请核实链接" in page and "组织方" in page or "The organisers" in page


# --- one more reviewer --------------------------------------------------------------------------------------


def test_the_candidates_are_those_without_conflict_in_the_solvers_order(scenario):
    disagree(scenario)
    agency = scenario.shared_case.agency
    works_there = factories.ReviewerFactory(username="works_there")
    ReviewerProfile.objects.filter(user=works_there).update(affiliation_agency=agency)
    declared = factories.ReviewerFactory(username="declared")
    declared.reviewer_profile.declared_conflicts.add(agency)
    said_conflict = factories.ReviewerFactory(username="said_conflict")
    Bid.objects.create(reviewer=said_conflict, case=scenario.shared_case, choice=BidChoice.CONFLICT)
    full = factories.ReviewerFactory(username="full")
    ReviewerProfile.objects.filter(user=full).update(max_load=1)
    Assignment.objects.create(reviewer=full, case=scenario.a_only_case)
    busy = factories.ReviewerFactory(username="busy")
    Assignment.objects.create(reviewer=busy, case=scenario.a_only_case)
    factories.ReviewerFactory(username="idle")
    keen = factories.ReviewerFactory(username="keen")
    Assignment.objects.create(reviewer=keen, case=scenario.a_only_case)
    Bid.objects.create(reviewer=keen, case=scenario.shared_case, choice=BidChoice.KEEN)
    unwilling = factories.ReviewerFactory(username="unwilling")
    Bid.objects.create(reviewer=unwilling, case=scenario.shared_case, choice=BidChoice.RATHER_NOT)

    names = [c.user.username for c in discussion.extra_reviewer_candidates(case=scenario.shared_case)]
    assert names == ["keen", "idle", "busy", "unwilling"]


def test_an_organiser_adds_a_reviewer_from_the_board_who_is_told_by_mail(
    client, scenario, organiser, deliver_mail
):
    disagree(scenario)
    third = factories.ReviewerFactory(username="third", first_name="丙", last_name="张")
    Profile.objects.create(user=third, language="en")
    client.force_login(organiser)
    board = client.get(
        reverse("admin:reviews_rankingboard_change", args=[scenario.round.pk])
    ).content.decode()
    url = reverse("admin:reviews_rankingboard_add_reviewer", args=[scenario.shared_case.pk])
    assert url in board
    page = client.get(url).content.decode()
    assert "张丙" in page and "王甲" not in page  # already on the case
    before = Round.objects.get(pk=scenario.round.pk).revision
    response = client.post(url, {"reviewer": third.pk})
    assert response.status_code == 302

    assignment = Assignment.objects.get(reviewer=third, case=scenario.shared_case)
    addition = ReviewerAddition.objects.get(assignment=assignment)
    assert addition.by == organiser
    assert Round.objects.get(pk=scenario.round.pk).revision > before
    (sent,) = [message for message in deliver_mail() if message.to == [third.email]]
    assert sent.subject == f"One more case to review: {scenario.shared_case.title}"
    assert reverse("review:reviews_assignment_change", args=[assignment.pk]) in sent.body


def test_adding_a_reviewer_is_refused_where_the_rules_say_no(client, scenario, organiser):
    conflicted = factories.ReviewerFactory(username="conflicted")
    conflicted.reviewer_profile.declared_conflicts.add(scenario.shared_case.agency)
    disagree(scenario)
    with refused("may not review"):
        reviewer_add(case=scenario.shared_case, reviewer=conflicted, by=organiser)
    with refused("organisers"):
        reviewer_add(case=scenario.shared_case, reviewer=factories.ReviewerFactory(), by=scenario.reviewer_a)
    # A case with its reviews, which agree, needs nobody more.
    Round.objects.filter(pk=scenario.round.pk).update(reviews_per_case=1)
    agreed = in_review_case(scenario.round, scenario.category)
    assignment = Assignment.objects.create(reviewer=scenario.reviewer_a, case=agreed)
    submit(scenario, assignment, lambda criterion: criterion.max_points)
    with refused("needs no more"):
        reviewer_add(case=agreed, reviewer=factories.ReviewerFactory(), by=organiser)
    # Posted by hand, a conflicted reviewer is not among the choices.
    client.force_login(organiser)
    url = reverse("admin:reviews_rankingboard_add_reviewer", args=[scenario.shared_case.pk])
    response = client.post(url, {"reviewer": conflicted.pk})
    assert response.status_code == 200
    Round.objects.filter(pk=scenario.round.pk).update(phase=Phase.SELECTION)
    with refused("in review"):
        reviewer_add(case=scenario.shared_case, reviewer=factories.ReviewerFactory(), by=organiser)
    assert not ReviewerAddition.objects.exists()


# --- query counts ---------------------------------------------------------------------------------------------


def _page_queries(client, user, url) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _counts(client, scenario, organiser) -> tuple[int, int, int]:
    case = scenario.shared_case
    return (
        _page_queries(client, scenario.reviewer_a, discussion_url(scenario.a_shared)),
        _page_queries(client, organiser, reverse("admin:reviews_rankingboard_discussion", args=[case.pk])),
        _page_queries(client, organiser, reverse("admin:reviews_rankingboard_add_reviewer", args=[case.pk])),
    )


def test_the_discussion_pages_read_in_the_same_number_of_queries(client, scenario, organiser):
    disagree(scenario)
    DiscussionComment.objects.create(case=scenario.shared_case, author=organiser, body="意见")
    factories.ReviewerFactory()  # one candidate for one more reviewer
    few = _counts(client, scenario, organiser)

    for number in range(6):
        reviewer = factories.ReviewerFactory()
        assignment = Assignment.objects.create(reviewer=reviewer, case=scenario.shared_case)
        submit(scenario, assignment, lambda criterion, n=number: min(criterion.max_points, n * 3))
        review_revise(
            review=Review.objects.get(assignment=assignment),
            by=reviewer,
            points=scenario.full_points(lambda criterion: 1),
            comment="改",
            reason="讨论",
        )
        factories.ReviewerFactory()
    for number in range(20):
        author = scenario.reviewer_b if number % 2 else organiser
        DiscussionComment.objects.create(case=scenario.shared_case, author=author, body=f"意见{number}")
    many = _counts(client, scenario, organiser)
    assert few == many
