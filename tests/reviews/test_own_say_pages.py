"""The pages of a reviewer's own say: the scoring page's autosave and running total, giving a case back on a
confirmation page, and the organisers' progress board that opens bidding and accepts replacements."""

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from govcases.enums import Phase
from reviews.enums import ReviewStatus
from reviews.models import Assignment, BiddingChange, Recusal, Review
from reviews.services import assignment_decline, review_submit
from tests import factories
from tests.e2e.browser import in_chinese

from .scenario import in_review_case


def draft_url(assignment):
    return reverse("review:reviews_assignment_draft", args=[assignment.pk])


def decline_url(assignment):
    return reverse("review:reviews_assignment_decline", args=[assignment.pk])


def change_url(assignment):
    return reverse("review:reviews_assignment_change", args=[assignment.pk])


def board_url(round_):
    return reverse("admin:reviews_reviewprogress_change", args=[round_.pk])


def points_data(built, values, comment=""):
    return {
        **{
            f"criterion_{criterion.pk}": value
            for criterion, value in zip(built.criteria, values, strict=False)
        },
        "comment": comment,
    }


# --- autosave and the running total ------------------------------------------------------------------------


def test_autosave_keeps_a_draft_and_answers_the_time_and_total(client, built):
    client.force_login(built.reviewer_a)
    response = client.post(draft_url(built.a_shared), points_data(built, [20, 15, ""], "写到一半"))
    assert response.status_code == 200
    answer = response.json()
    assert answer["total"] == 35 and len(answer["saved_at"]) == 5 and answer["saved_at"] in answer["message"]
    review = Review.objects.get(assignment=built.a_shared)
    assert review.status == ReviewStatus.DRAFT and review.comment == "写到一半"
    assert sorted(review.scores.values_list("points", flat=True)) == [15, 20]
    # Without the script, the page shows the same total after the draft is saved.
    page = client.get(change_url(built.a_shared)).content.decode()
    assert '<output id="running-total" aria-live="polite">35</output>' in page
    assert "scoring.js" in page and f'data-draft-url="{draft_url(built.a_shared)}"' in page


def test_autosave_refuses_bad_points_and_keeps_the_last_good_draft(client, built):
    client.force_login(built.reviewer_a)
    client.post(draft_url(built.a_shared), points_data(built, [20]))
    response = client.post(draft_url(built.a_shared), points_data(built, [999]))
    assert response.status_code == 400
    assert f"criterion_{built.criteria[0].pk}" in response.json()["errors"]
    assert list(Review.objects.get(assignment=built.a_shared).scores.values_list("points", flat=True)) == [20]


def test_autosave_enforces_the_phase_the_lock_and_the_owner_on_the_server(client, built):
    client.force_login(built.reviewer_b)
    # Another reviewer's assignment does not exist for them.
    assert client.post(draft_url(built.a_shared), points_data(built, [1])).status_code == 404
    assert client.get(draft_url(built.b_shared)).status_code == 405

    review_submit(assignment=built.b_shared, by=built.reviewer_b, points=built.full_points())
    response = client.post(draft_url(built.b_shared), points_data(built, [1, 1, 1, 1]))
    assert (
        response.status_code == 409
        and in_chinese("This review was submitted and is locked.") in response.json()["message"]
    )
    assert Review.objects.get(assignment=built.b_shared).total == 80

    client.force_login(built.reviewer_a)
    built.round.phase = Phase.SELECTION
    built.round.save()
    response = client.post(draft_url(built.a_only), points_data(built, [5]))
    assert response.status_code == 409
    assert in_chinese("Cases can be scored only while the round is in review.") in response.json()["message"]
    assert not Review.objects.filter(assignment=built.a_only).exists()


def test_autosave_needs_the_csrf_token(built):
    client = Client(enforce_csrf_checks=True)
    client.force_login(built.reviewer_a)
    assert client.post(draft_url(built.a_shared), points_data(built, [5])).status_code == 403
    assert not Review.objects.filter(assignment=built.a_shared).exists()


# --- giving a case back ------------------------------------------------------------------------------------


def test_a_reviewer_gives_a_case_back_on_a_confirmation_page(client, built):
    client.force_login(built.reviewer_a)
    page = client.get(change_url(built.a_shared)).content.decode()
    assert decline_url(built.a_shared) in page
    confirmation = client.get(decline_url(built.a_shared))
    assert confirmation.status_code == 200 and 'id="decline-form"' in confirmation.content.decode()

    # Without a reason nothing happens, and the page says so.
    response = client.post(decline_url(built.a_shared), {"kind": "conflict", "reason": ""})
    assert response.status_code == 200 and in_chinese("Give a reason.") in response.content.decode()
    assert Assignment.objects.filter(pk=built.a_shared.pk).exists()

    response = client.post(
        decline_url(built.a_shared), {"kind": "conflict", "reason": "我曾为该单位做过咨询"}
    )
    assert response.status_code == 302 and response["Location"] == reverse(
        "review:reviews_assignment_changelist"
    )
    recusal = Recusal.objects.get()
    assert (recusal.kind, recusal.reason, recusal.case) == (
        "conflict",
        "我曾为该单位做过咨询",
        built.shared_case,
    )
    queue = client.get(reverse("review:reviews_assignment_changelist")).content.decode()
    told = in_chinese("“%(case)s” left your queue; the organisers were told.") % {
        "case": built.shared_case.title
    }
    assert told in queue  # the message, shown once
    queue = client.get(reverse("review:reviews_assignment_changelist")).content.decode()
    assert built.shared_case.title not in queue


def test_the_decline_page_is_refused_for_a_submitted_review_and_another_reviewers_case(client, built):
    review_submit(assignment=built.a_only, by=built.reviewer_a, points=built.full_points())
    client.force_login(built.reviewer_a)
    page = client.get(decline_url(built.a_only)).content.decode()
    assert 'id="decline-refused"' in page and 'id="decline-form"' not in page
    response = client.post(decline_url(built.a_only), {"kind": "decline", "reason": "改主意"})
    assert response.status_code == 200
    assert in_chinese("You submitted your review of this case: it can no longer be given back.") in (
        response.content.decode()
    )
    assert client.post(decline_url(built.b_shared), {"kind": "decline", "reason": "越权"}).status_code == 404
    assert Assignment.objects.filter(pk__in=[built.a_only.pk, built.b_shared.pk]).count() == 2
    assert not Recusal.objects.exists()


# --- the organisers' board ---------------------------------------------------------------------------------


def test_the_board_opens_bidding_and_accepts_a_replacement_in_one_click(client, built, organiser):
    client.force_login(organiser)
    response = client.post(board_url(built.round), {"action": "open_bidding"})
    assert response.status_code == 302
    built.round.refresh_from_db()
    assert built.round.bidding_open and BiddingChange.objects.get().by == organiser

    with translation.override("en"):
        recusal = assignment_decline(assignment=built.a_shared, by=built.reviewer_a, reason="出差")
    page = client.get(board_url(built.round)).content.decode()
    assert f'id="recusal-{recusal.pk}"' in page and "张丙" in page and "出差" in page

    assert (
        client.post(board_url(built.round), {"action": "replace", "recusal": recusal.pk}).status_code == 302
    )
    assert built.shared_case.assignments.filter(reviewer=built.reviewer_c).exists()
    page = client.get(board_url(built.round)).content.decode()
    assert f'id="recusal-{recusal.pk}"' not in page
    # A stale or crafted form changes nothing and says so.
    assert client.post(board_url(built.round), {"action": "replace", "recusal": "abc"}).status_code == 302
    assert (
        client.post(board_url(built.round), {"action": "replace", "recusal": recusal.pk}).status_code == 302
    )
    assert built.shared_case.assignments.count() == 2


def test_the_board_takes_the_same_number_of_queries_for_1_and_5_cases_given_back(client, built, organiser):
    client.force_login(organiser)
    assignment_decline(assignment=built.a_shared, by=built.reviewer_a, reason="出差")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(board_url(built.round)).status_code == 200
        return len(captured)

    one = queries()
    for n in range(4):
        reviewer = factories.ReviewerFactory(username=f"extra{n}")
        case = in_review_case(built.round, built.category)
        assignment = Assignment.objects.create(reviewer=reviewer, case=case)
        assignment_decline(assignment=assignment, by=reviewer, reason="出差")
    assert Recusal.objects.filter(resolved_at__isnull=True).count() == 5
    assert queries() == one


def test_the_board_shows_why_nobody_can_take_a_case_and_asks_again_on_demand(client, built, organiser):
    built.reviewer_c.reviewer_profile.declared_conflicts.add(built.shared_case.agency)
    recusal = assignment_decline(assignment=built.a_shared, by=built.reviewer_a, reason="出差")
    client.force_login(organiser)
    row = client.get(board_url(built.round)).content.decode().split(f'id="recusal-{recusal.pk}"')[1]
    assert recusal.unfilled_reason in row.split("</tr>")[0] and 'value="propose"' in row.split("</tr>")[0]

    factories.ReviewerFactory(username="newcomer", first_name="丁", last_name="赵")
    assert (
        client.post(board_url(built.round), {"action": "propose", "recusal": recusal.pk}).status_code == 302
    )
    page = client.get(board_url(built.round)).content.decode()
    assert in_chinese("The solver was asked again: its answer is shown below.") in page
    row = page.split(f'id="recusal-{recusal.pk}"')[1].split("</tr>")[0]
    assert "赵丁" in row and 'value="replace"' in row


def test_why_nobody_can_take_a_case_reads_in_the_organisers_language_whoever_gave_it_back(
    client, built, organiser
):
    """The shortage is kept as facts: a reviewer working in English gives the case back, and the Chinese
    organiser's board explains it in Chinese (and an English organiser's in English)."""
    built.reviewer_c.reviewer_profile.declared_conflicts.add(built.shared_case.agency)
    with translation.override("en"):
        recusal = assignment_decline(assignment=built.a_shared, by=built.reviewer_a, reason="出差")
    client.force_login(organiser)
    row = client.get(board_url(built.round)).content.decode().split(f'id="recusal-{recusal.pk}"')[1]
    row = row.split("</tr>")[0]
    assert "评审组其他成员均需回避" in row, row
    assert "conflict of interest" not in row
    with translation.override("en"):
        assert "conflict of interest" in recusal.unfilled_reason
