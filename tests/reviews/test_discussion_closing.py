"""Organisers close a case's discussion as settled (and reopen it): confirmed with a reason, audited, read-only for
everyone while closed, gone from the reviewers' queue, shown as closed on the boards, and told to the reviewers
by e-mail in their language."""

from contextlib import contextmanager

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from govcases.enums import CaseStatus, Phase
from govcases.exceptions import Refused
from govcases.models import Case, OutboxMessage, Profile, Round
from reviews import discussion
from reviews.models import (
    Assignment,
    DiscussionComment,
    DiscussionEvent,
    Review,
    ReviewerAddition,
    ReviewRevision,
)
from reviews.services import (
    discussion_close,
    discussion_comment_post,
    discussion_reopen,
    review_revise,
    review_save,
    review_submit,
    reviewer_add,
)
from tests import factories

from .scenario import in_review_case

pytestmark = pytest.mark.django_db

QUEUE = reverse("review:reviews_assignment_changelist")
SETTLED = "评分依据已说明，分歧保留。"


@pytest.fixture
def organiser(organiser):
    """The organiser, with a name the organisers' pages show and the reviewers' never do."""
    organiser.first_name, organiser.last_name = "组长", "赵"
    organiser.save()
    return organiser


@contextmanager
def refused(match: str):
    with translation.override("en"), pytest.raises(Refused, match=match):
        yield


def reviewer_discussion(assignment):
    return reverse("review:reviews_assignment_discussion", args=[assignment.pk])


def organiser_discussion(case):
    return reverse("admin:reviews_rankingboard_discussion", args=[case.pk])


def close_url(case):
    return reverse("admin:reviews_rankingboard_close_discussion", args=[case.pk])


def reopen_url(case):
    return reverse("admin:reviews_rankingboard_reopen_discussion", args=[case.pk])


def submit(scenario, assignment, value_of, comment=""):
    points = scenario.full_points(value_of)
    review_save(assignment=assignment, by=assignment.reviewer, points=points, comment=comment)
    review_submit(assignment=assignment, by=assignment.reviewer, points=points, comment=comment)


def disagree(scenario):
    """Reviewer A scores the shared case 100, reviewer B 20: it is flagged, its discussion open."""
    submit(scenario, scenario.a_shared, lambda criterion: criterion.max_points, comment="甲：创新突出。")
    submit(scenario, scenario.b_shared, lambda criterion: 5, comment="乙：成效数据不足。")


def revise(scenario, reason="讨论后调整"):
    review_revise(
        review=Review.objects.get(assignment=scenario.b_shared),
        by=scenario.reviewer_b,
        points=scenario.full_points(lambda criterion: 10),
        comment="再看一遍",
        reason=reason,
    )


# --- closing and reopening from the discussion page ---------------------------------------------------------


def test_an_organiser_closes_a_discussion_on_a_confirmation_page_and_reopens_it(client, scenario, organiser):
    disagree(scenario)
    client.force_login(organiser)
    page = client.get(organiser_discussion(scenario.shared_case)).content.decode()
    assert close_url(scenario.shared_case) in page and reopen_url(scenario.shared_case) not in page

    confirmation = client.get(close_url(scenario.shared_case))
    assert confirmation.status_code == 200
    assert "不能再发表评论" in confirmation.content.decode()
    assert not DiscussionEvent.objects.exists()  # reading the confirmation changes nothing

    before = Round.objects.get(pk=scenario.round.pk).revision
    response = client.post(close_url(scenario.shared_case), {"reason": SETTLED})
    assert response.status_code == 302 and response.url == organiser_discussion(scenario.shared_case)
    event = DiscussionEvent.objects.get()
    assert (event.case, event.closed, event.by, event.reason) == (
        scenario.shared_case,
        True,
        organiser,
        SETTLED,
    )
    assert Round.objects.get(pk=scenario.round.pk).revision > before
    assert not discussion.discussion_open(scenario.shared_case)

    page = client.get(organiser_discussion(scenario.shared_case)).content.decode()
    assert SETTLED in page and "赵组长" in page
    assert 'id="comment-form"' not in page and close_url(scenario.shared_case) not in page
    assert reopen_url(scenario.shared_case) in page

    assert client.get(reopen_url(scenario.shared_case)).status_code == 200
    response = client.post(reopen_url(scenario.shared_case), {"reason": "乙专家补充了新材料"})
    assert response.status_code == 302
    reopened = DiscussionEvent.objects.latest("pk")
    assert not reopened.closed and reopened.reason == "乙专家补充了新材料" and reopened.by == organiser
    assert discussion.discussion_open(scenario.shared_case)
    page = client.get(organiser_discussion(scenario.shared_case)).content.decode()
    assert 'id="comment-form"' in page and 'id="discussion-closing"' not in page
    # The organisers read every closing and reopening, with who and why.
    history = page[page.index('id="closing-history"') :]
    assert SETTLED in history and "乙专家补充了新材料" in history and history.count("赵组长") == 2
    discussion_comment_post(case=scenario.shared_case, by=scenario.reviewer_a, body="重新开放后补充")


def test_a_blank_reason_is_refused_on_the_page_and_nothing_closes(client, scenario, organiser):
    disagree(scenario)
    client.force_login(organiser)
    response = client.post(close_url(scenario.shared_case), {"reason": "   "})
    assert response.status_code == 200
    assert "请说明理由" in response.content.decode()
    with refused("Say why"):
        discussion_close(case=scenario.shared_case, by=organiser, reason=" ")
    assert not DiscussionEvent.objects.exists()


def test_closing_twice_shows_why_and_keeps_the_reason_typed(client, scenario, organiser):
    disagree(scenario)
    discussion_close(case=scenario.shared_case, by=organiser, reason=SETTLED)
    client.force_login(organiser)
    response = client.post(close_url(scenario.shared_case), {"reason": "再关一次"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "讨论已经关闭" in page and "再关一次" in page
    with refused("already closed"):
        discussion_close(case=scenario.shared_case, by=organiser, reason="再关一次")
    assert DiscussionEvent.objects.count() == 1


def test_the_pages_speak_english_to_an_english_organiser(client, scenario, organiser):
    disagree(scenario)
    client.force_login(organiser)
    english = {"HTTP_ACCEPT_LANGUAGE": "en"}
    confirmation = client.get(close_url(scenario.shared_case), **english).content.decode()
    assert "Closing the discussion says it is settled" in confirmation
    client.post(
        close_url(scenario.shared_case), {"reason": "Scores explained; the disagreement stands."}, **english
    )
    page = client.get(organiser_discussion(scenario.shared_case), **english).content.decode()
    assert "The organisers closed this discussion: it can be read, not changed." in page
    assert "Scores explained; the disagreement stands." in page
    response = client.post(close_url(scenario.shared_case), {"reason": "again"}, **english)
    assert "This discussion is already closed." in response.content.decode()


# --- who may, and when ---------------------------------------------------------------------------------------


def test_only_organisers_close_or_reopen(client, scenario, organiser):
    disagree(scenario)
    with refused("Only the organisers"):
        discussion_close(case=scenario.shared_case, by=scenario.reviewer_a, reason=SETTLED)
    with refused("Only the organisers"):
        discussion_close(case=scenario.shared_case, by=None, reason=SETTLED)
    officer = factories.AgencyMemberFactory().user
    with refused("Only the organisers"):
        discussion_close(case=scenario.shared_case, by=officer, reason=SETTLED)
    discussion_close(case=scenario.shared_case, by=organiser, reason=SETTLED)
    with refused("Only the organisers"):
        discussion_reopen(case=scenario.shared_case, by=scenario.reviewer_b, reason="我想继续讨论")
    # A reviewer reaches neither page of the organisers' admin.
    client.force_login(scenario.reviewer_a)
    for url in (close_url(scenario.shared_case), reopen_url(scenario.shared_case)):
        assert client.get(url).status_code in {302, 403}
        assert client.post(url, {"reason": "越权"}).status_code in {302, 403}
    assert DiscussionEvent.objects.count() == 1


@pytest.mark.parametrize("phase", [Phase.SUBMISSION, Phase.PUBLISHED, Phase.ARCHIVED])
def test_closing_and_reopening_are_refused_outside_review_and_selection(client, scenario, organiser, phase):
    disagree(scenario)
    discussion_close(case=scenario.shared_case, by=organiser, reason=SETTLED)
    Round.objects.filter(pk=scenario.round.pk).update(phase=phase)
    with refused("no longer in review"):
        discussion_reopen(case=scenario.shared_case, by=organiser, reason="重开")
    client.force_login(organiser)
    page = client.get(organiser_discussion(scenario.shared_case)).content.decode()
    assert reopen_url(scenario.shared_case) not in page
    response = client.post(reopen_url(scenario.shared_case), {"reason": "重开"})
    assert response.status_code == 200 and "已不在评审或遴选阶段" in response.content.decode()
    assert DiscussionEvent.objects.count() == 1


def test_closing_is_allowed_in_selection_and_refused_once_the_case_left_review(scenario, organiser):
    disagree(scenario)
    Round.objects.filter(pk=scenario.round.pk).update(phase=Phase.SELECTION)
    event = discussion_close(case=scenario.shared_case, by=organiser, reason=SETTLED)
    assert event.closed
    discussion_reopen(case=scenario.shared_case, by=organiser, reason="再议")
    Case.objects.filter(pk=scenario.shared_case.pk).update(status=CaseStatus.SELECTED)
    with refused("no longer in review"):
        discussion_close(case=scenario.shared_case, by=organiser, reason=SETTLED)


def test_there_is_nothing_to_close_or_reopen_without_a_discussion_or_a_closing(scenario, organiser):
    submit(scenario, scenario.a_shared, lambda criterion: criterion.max_points - 2)
    submit(scenario, scenario.b_shared, lambda criterion: criterion.max_points - 3)
    with refused("no discussion to close"):
        discussion_close(case=scenario.shared_case, by=organiser, reason=SETTLED)
    with refused("not closed"):
        discussion_reopen(case=scenario.shared_case, by=organiser, reason="重开")
    assert not DiscussionEvent.objects.exists()


# --- a closed discussion is read-only ------------------------------------------------------------------------


def test_nobody_comments_or_revises_in_a_closed_discussion(client, scenario, organiser):
    disagree(scenario)
    discussion_close(case=scenario.shared_case, by=organiser, reason=SETTLED)
    for author in (scenario.reviewer_a, organiser):
        with refused("closed this discussion"):
            discussion_comment_post(case=scenario.shared_case, by=author, body="关闭后还想说")
    with refused("closed this discussion"):
        revise(scenario)

    client.force_login(scenario.reviewer_b)
    response = client.post(reviewer_discussion(scenario.b_shared), {"body": "关闭后还想说", "_comment": "1"})
    assert response.status_code == 200 and "组织方已关闭此讨论" in response.content.decode()
    data = {f"criterion_{criterion.pk}": 10 for criterion in scenario.criteria}
    response = client.post(
        reviewer_discussion(scenario.b_shared), {**data, "comment": "改", "reason": "改分", "_revise": "1"}
    )
    assert response.status_code == 200
    client.force_login(organiser)
    response = client.post(organiser_discussion(scenario.shared_case), {"body": "组织方也不能说"})
    assert response.status_code == 200 and "组织方已关闭此讨论" in response.content.decode()
    assert not DiscussionComment.objects.exists() and not ReviewRevision.objects.exists()
    assert Review.objects.get(assignment=scenario.b_shared).total == 20


def test_reviewers_still_read_a_closed_discussion_with_its_closing_but_no_forms(client, scenario, organiser):
    disagree(scenario)
    discussion_comment_post(
        case=scenario.shared_case, by=scenario.reviewer_a, body="我的评分依据是平台数据。"
    )
    discussion_close(case=scenario.shared_case, by=organiser, reason=SETTLED)
    client.force_login(scenario.reviewer_b)
    scoring = client.get(reverse("review:reviews_assignment_change", args=[scenario.b_shared.pk]))
    assert reviewer_discussion(scenario.b_shared) in scoring.content.decode()
    response = client.get(reviewer_discussion(scenario.b_shared))
    assert response.status_code == 200
    page = response.content.decode()
    assert "我的评分依据是平台数据。" in page and SETTLED in page and "组织方已关闭此讨论" in page
    assert 'id="comment-form"' not in page and 'id="revision-form"' not in page
    assert "赵组长" not in page and "组长" not in page  # reviewers read "the organisers", as with comments


def test_the_queue_no_longer_links_a_closed_discussion(client, scenario, organiser):
    disagree(scenario)
    client.force_login(scenario.reviewer_a)
    assert reviewer_discussion(scenario.a_shared) in client.get(QUEUE).content.decode()
    discussion_close(case=scenario.shared_case, by=organiser, reason=SETTLED)
    assert reviewer_discussion(scenario.a_shared) not in client.get(QUEUE).content.decode()
    discussion_reopen(case=scenario.shared_case, by=organiser, reason="再议")
    assert reviewer_discussion(scenario.a_shared) in client.get(QUEUE).content.decode()


def test_which_discussions_are_open_takes_two_queries_however_many_are_closed(scenario, organiser):
    disagree(scenario)
    revise(scenario)
    cases = [scenario.shared_case.pk]
    for number in range(4):
        case = in_review_case(scenario.round, scenario.category)
        DiscussionComment.objects.create(case=case, author=organiser, body=f"意见{number}")
        cases.append(case.pk)
        if number % 2:
            discussion_close(case=case, by=organiser, reason=SETTLED)
            discussion_reopen(case=case, by=organiser, reason="再议")
        else:
            discussion_close(case=case, by=organiser, reason=SETTLED)
    # Closed, reopened and closed again: the latest counts.
    case = in_review_case(scenario.round, scenario.category)
    DiscussionComment.objects.create(case=case, author=organiser, body="意见")
    cases.append(case.pk)
    discussion_close(case=case, by=organiser, reason=SETTLED)
    discussion_reopen(case=case, by=organiser, reason="再议")
    discussion_close(case=case, by=organiser, reason=SETTLED)
    discussion_close(case=scenario.shared_case, by=organiser, reason=SETTLED)
    with CaptureQueriesContext(connection) as queries:
        opened = discussion.open_discussions(cases)
    assert len(queries) == 2
    assert opened == {cases[2], cases[4]}


# --- one more reviewer --------------------------------------------------------------------------------------


def test_a_settled_disagreement_gets_no_more_reviewers_but_a_short_case_does(client, scenario, organiser):
    disagree(scenario)
    discussion_close(case=scenario.shared_case, by=organiser, reason=SETTLED)
    # Two reviews of the three the round asks for: the case is short, and may have one more.
    third = factories.ReviewerFactory(username="third")
    reviewer_add(case=scenario.shared_case, reviewer=third, by=organiser)
    assert ReviewerAddition.objects.count() == 1
    Round.objects.filter(pk=scenario.round.pk).update(reviews_per_case=2)
    with refused("reopen it before adding"):
        reviewer_add(case=scenario.shared_case, reviewer=factories.ReviewerFactory(), by=organiser)
    client.force_login(organiser)
    page = client.get(
        reverse("admin:reviews_rankingboard_add_reviewer", args=[scenario.shared_case.pk])
    ).content.decode()
    assert 'id="closed-as-settled"' in page
    assert ReviewerAddition.objects.count() == 1


# --- the boards ----------------------------------------------------------------------------------------------


def test_the_ranking_and_selection_boards_show_a_closed_discussion(client, scenario, organiser):
    disagree(scenario)
    Round.objects.filter(pk=scenario.round.pk).update(reviews_per_case=2)
    client.force_login(organiser)
    ranking = reverse("admin:reviews_rankingboard_change", args=[scenario.round.pk])
    add_url = reverse("admin:reviews_rankingboard_add_reviewer", args=[scenario.shared_case.pk])
    board = client.get(ranking).content.decode()
    assert "⚑ 需讨论" in board and "讨论已关闭" not in board and add_url in board

    discussion_close(case=scenario.shared_case, by=organiser, reason=SETTLED)
    board = client.get(ranking).content.decode()  # the closing revised the round: the board is fresh
    assert "讨论已关闭" in board and "⚑ 需讨论" not in board and add_url not in board
    assert organiser_discussion(scenario.shared_case) in board
    english = client.get(ranking, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "discussion closed" in english

    Round.objects.filter(pk=scenario.round.pk).update(phase=Phase.SELECTION)
    selection = client.get(reverse("admin:reviews_selectionboard_change", args=[scenario.round.pk]))
    assert "讨论已关闭" in selection.content.decode()


def test_the_boards_read_the_closings_in_a_constant_number_of_queries(client, scenario, organiser):
    disagree(scenario)
    client.force_login(organiser)
    ranking = reverse("admin:reviews_rankingboard_change", args=[scenario.round.pk])

    def queries() -> int:
        Round.objects.filter(pk=scenario.round.pk).revise()  # a fresh board, not the cached one
        with CaptureQueriesContext(connection) as captured:
            assert client.get(ranking).status_code == 200
        return len(captured)

    discussion_close(case=scenario.shared_case, by=organiser, reason=SETTLED)
    few = queries()
    for _ in range(5):
        case = in_review_case(scenario.round, scenario.category)
        for reviewer, value in ((scenario.reviewer_a, 100), (scenario.reviewer_b, 20)):
            assignment = Assignment.objects.create(reviewer=reviewer, case=case)
            submit(scenario, assignment, lambda criterion, v=value: min(criterion.max_points, v // 5))
        discussion_close(case=case, by=organiser, reason=SETTLED)
    many = queries()
    assert few == many


# --- e-mail ---------------------------------------------------------------------------------------------------


def test_closing_tells_the_cases_reviewers_in_their_language(client, scenario, organiser, deliver_mail):
    disagree(scenario)
    Profile.objects.create(user=scenario.reviewer_b, language="en")
    outsider = factories.ReviewerFactory()
    Assignment.objects.create(reviewer=outsider, case=scenario.shared_case)  # not submitted: not told
    discussion_close(case=scenario.shared_case, by=organiser, reason=SETTLED)

    mails = {message.recipient: message for message in OutboxMessage.objects.filter(kind="discussion_closed")}
    assert set(mails) == {scenario.reviewer_a.email, scenario.reviewer_b.email}
    english = mails[scenario.reviewer_b.email]
    assert english.language == "en"
    assert english.subject == f"Discussion closed: {scenario.shared_case.title}"
    assert SETTLED in english.body and reviewer_discussion(scenario.b_shared) in english.body
    chinese = mails[scenario.reviewer_a.email]
    assert chinese.language == "zh-hans" and chinese.subject.startswith("讨论已关闭")
    assert reviewer_discussion(scenario.a_shared) in chinese.body
    assert {message.to[0] for message in deliver_mail()} >= {
        scenario.reviewer_a.email,
        scenario.reviewer_b.email,
    }
    # Reopening sends nothing more.
    discussion_reopen(case=scenario.shared_case, by=organiser, reason="再议")
    assert OutboxMessage.objects.filter(kind="discussion_closed").count() == 2


def test_in_a_blind_round_the_closing_mail_and_page_hide_the_agency(client, scenario, organiser):
    Round.objects.filter(pk=scenario.round.pk).update(blind_review=True)
    disagree(scenario)
    agency = scenario.shared_case.agency.name
    discussion_close(case=scenario.shared_case, by=organiser, reason=f"{agency}的材料已说明")
    for message in OutboxMessage.objects.filter(kind="discussion_closed"):
        assert agency not in message.body
    client.force_login(scenario.reviewer_a)
    assert agency not in client.get(reviewer_discussion(scenario.a_shared)).content.decode()
