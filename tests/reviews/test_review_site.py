"""The reviewers' admin at /review/: the queue, the scoring page, what a reviewer may never see, locking."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from govcases.enums import CaseStatus
from govcases.models import Round
from reviews.enums import ReviewStatus
from reviews.models import Assignment, DiscussionEvent, Review
from reviews.services import review_submit
from tests import factories

from .scenario import build, in_review_case

QUEUE = reverse("review:reviews_assignment_changelist")


def change_url(assignment):
    return reverse("review:reviews_assignment_change", args=[assignment.pk])


def form_data(built, points=None, comment="", button="_save", confirmed=False):
    points = built.full_points() if points is None else points
    data = {f"criterion_{pk}": "" if value is None else value for pk, value in points.items()}
    return {**data, "comment": comment, button: "1", **({"_confirmed": "1"} if confirmed else {})}


# --- who gets in -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "officer", "organiser"])
@pytest.mark.parametrize("page", ["index", "queue", "change", "post"])
def test_only_reviewers_enter_the_review_site(client, scenario, officer, organiser, who, page):
    if who != "anonymous":
        client.force_login({"officer": officer, "organiser": organiser}[who])
    url = {"index": reverse("review:index"), "queue": QUEUE}.get(page) or change_url(scenario.a_shared)
    response = client.post(url, form_data(scenario)) if page == "post" else client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("review:login"))
    assert not Review.objects.exists()


def test_a_reviewer_logs_in_without_being_staff_and_lands_on_the_queue(client, scenario, officer):
    reviewer = scenario.reviewer_a
    reviewer.is_staff = False
    reviewer.set_password("correct-horse-battery-staple")
    reviewer.save()
    login = reverse("review:login")
    response = client.post(login, {"username": reviewer.username, "password": "correct-horse-battery-staple"})
    assert response.status_code == 302
    assert client.get(reverse("review:index"))["Location"] == QUEUE
    client.logout()
    officer.set_password("correct-horse-battery-staple")
    officer.is_staff = True
    officer.save()
    response = client.post(login, {"username": officer.username, "password": "correct-horse-battery-staple"})
    assert response.status_code == 200  # the form again, with an error
    assert client.get(QUEUE).status_code == 302


def test_a_reviewer_sees_only_their_own_queue(client, scenario):
    client.force_login(scenario.reviewer_b)
    response = client.get(QUEUE)
    assert response.status_code == 200
    page = response.content.decode()
    assert scenario.shared_case.title in page
    assert scenario.a_only_case.title not in page
    assert "reviewer_a" not in page and "王甲" not in page


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_reviewers_assignment_is_not_found(client, scenario, method):
    client.force_login(scenario.reviewer_b)
    url = change_url(scenario.a_only)
    response = client.post(url, form_data(scenario)) if method == "post" else client.get(url)
    assert response.status_code == 404
    assert scenario.a_only_case.title.encode() not in response.content
    assert not Review.objects.exists()


def test_a_reviewer_never_sees_other_reviewers_scores_names_or_aggregates(client, scenario):
    review_submit(
        assignment=scenario.b_shared,
        by=scenario.reviewer_b,
        points=scenario.full_points(lambda c: 7),
        comment="乙的评语",
    )
    client.force_login(scenario.reviewer_a)
    page = client.get(change_url(scenario.a_shared)).content.decode()
    assert scenario.shared_case.title in page
    assert "乙的评语" not in page and "reviewer_b" not in page and "李乙" not in page
    assert 'value="7"' not in page and ">28<" not in page  # B's points and total
    assert "mean" not in page.lower() and "平均" not in page


def test_reviewers_have_no_add_delete_or_history_pages(client, scenario):
    client.force_login(scenario.reviewer_a)
    for suffix in ("add/", f"{scenario.a_shared.pk}/delete/", f"{scenario.a_shared.pk}/history/"):
        assert client.get(QUEUE + suffix).status_code == 404
    # The organisers' pages stay closed to a reviewer.
    assert client.get(reverse("admin:reviews_review_changelist")).status_code == 302


# --- the queue -------------------------------------------------------------------------------------------


def test_the_queue_shows_progress_and_filters(client, scenario):
    review_submit(assignment=scenario.a_only, by=scenario.reviewer_a, points=scenario.full_points())
    client.force_login(scenario.reviewer_a)
    response = client.get(QUEUE, HTTP_ACCEPT_LANGUAGE="en")
    assert "1 of 2 submitted" in response.content.decode()
    pending = client.get(QUEUE + "?progress=pending").content.decode()
    assert scenario.shared_case.title in pending and scenario.a_only_case.title not in pending
    submitted = client.get(QUEUE + "?progress=submitted").content.decode()
    assert scenario.a_only_case.title in submitted and scenario.shared_case.title not in submitted
    other_category = scenario.round.categories.order_by("position")[1]
    by_category = client.get(QUEUE + f"?category={other_category.pk}").content.decode()
    assert scenario.shared_case.title not in by_category


def test_the_queue_lists_cases_in_the_order_save_and_next_takes_them(client, scenario):
    # By category first: a case of the second category comes after a later case of the first.
    first_category, second_category = scenario.round.categories.order_by("position")[:2]
    for category, title in ((second_category, "第二类案例"), (first_category, "第一类的新案例")):
        Assignment.objects.create(
            reviewer=scenario.reviewer_a, case=in_review_case(scenario.round, category, title=title)
        )
    client.force_login(scenario.reviewer_a)

    page = client.get(QUEUE).content.decode()

    titles = [scenario.shared_case.title, scenario.a_only_case.title, "第一类的新案例", "第二类案例"]
    assert sorted(titles, key=page.index) == titles


@pytest.mark.parametrize("blind", [False, True])
def test_the_queue_takes_the_same_number_of_queries_for_few_and_many_cases(client, round_, blind):
    built = build(round_)
    Round.objects.filter(pk=round_.pk).update(blind_review=blind)
    client.force_login(built.reviewer_a)

    def queries_for_queue():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(QUEUE)
            assert response.status_code == 200
        return len(queries), response.content.decode()

    Review.objects.create(assignment=built.a_only, status=ReviewStatus.SUBMITTED, total=80)
    few, _page = queries_for_queue()  # two cases, one submitted
    other = factories.ReviewerFactory()
    for index in range(15):
        assignment = Assignment.objects.create(
            reviewer=built.reviewer_a, case=in_review_case(round_, built.category)
        )
        if index % 3 == 0:
            Review.objects.create(assignment=assignment)
        if index % 3 == 1:
            # Submitted, and flagged: another reviewer scored the case far lower. Its discussion is linked.
            Review.objects.create(assignment=assignment, status=ReviewStatus.SUBMITTED, total=90)
            theirs = Assignment.objects.create(reviewer=other, case=assignment.case)
            Review.objects.create(assignment=theirs, status=ReviewStatus.SUBMITTED, total=30)
            if index == 1:
                # Closed as settled by the organisers: read in the same queries, and no longer linked.
                DiscussionEvent.objects.create(case=assignment.case, closed=True, reason="分歧保留")
    many, page = queries_for_queue()
    assert many == few
    assert few <= 13
    assert page.count("/discussion/") == 4


# --- scoring ---------------------------------------------------------------------------------------------


def test_the_scoring_page_shows_the_case_beside_the_rubric(client, scenario):
    client.force_login(scenario.reviewer_a)
    response = client.get(change_url(scenario.a_shared))
    page = response.content.decode()
    case = scenario.shared_case
    for text in (
        case.title,
        case.agency.name,
        case.summary,
        case.description,
        case.outcomes,
        case.service_url,
    ):
        assert text in page
    assert case.images.first().image.url in page
    for criterion in scenario.criteria:
        assert criterion.name in page and criterion.description in page
        assert f'name="criterion_{criterion.pk}"' in page and f'max="{criterion.max_points}"' in page
    assert 'name="_save"' in page and 'name="_submit"' in page and 'name="_saveandnext"' in page


def test_save_draft_then_submit_through_the_page(client, scenario):
    client.force_login(scenario.reviewer_a)
    first = scenario.criteria[0]
    response = client.post(change_url(scenario.a_shared), form_data(scenario, {first.pk: 12}, "初稿"))
    assert response.status_code == 302 and response["Location"] == change_url(scenario.a_shared)
    review = Review.objects.get(assignment=scenario.a_shared)
    assert review.status == ReviewStatus.DRAFT and review.comment == "初稿"
    page = client.get(change_url(scenario.a_shared)).content.decode()
    assert 'value="12"' in page and "初稿" in page

    # Submitting asks first, on a page with the scores as they will be locked.
    asked = client.post(
        change_url(scenario.a_shared),
        form_data(scenario, comment="定稿", button="_submit"),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    page = asked.content.decode()
    assert asked.status_code == 200 and 'id="confirm-submit"' in page
    assert "80 / 100" in page and "locked" in page and "定稿" in page
    review.refresh_from_db()
    assert review.status == ReviewStatus.DRAFT and review.comment == "定稿"  # kept as a draft meanwhile

    response = client.post(
        change_url(scenario.a_shared), form_data(scenario, comment="定稿", button="_submit", confirmed=True)
    )
    assert response.status_code == 302
    assert response["Location"] == change_url(scenario.a_only)  # on to the next case to score
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED and review.total == 80


def test_save_and_next_moves_to_the_next_pending_case(client, scenario):
    client.force_login(scenario.reviewer_a)
    response = client.post(change_url(scenario.a_only), form_data(scenario, {}, button="_saveandnext"))
    assert response["Location"] == change_url(scenario.a_shared)


def test_points_out_of_range_are_refused_with_a_clear_message(client, scenario):
    client.force_login(scenario.reviewer_a)
    innovation = scenario.criteria[0]
    response = client.post(
        change_url(scenario.a_shared), form_data(scenario, {innovation.pk: 31}), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert "At most 30 points for this criterion." in response.content.decode()
    assert not Review.objects.exists()


def test_submitting_an_incomplete_review_says_what_is_missing(client, scenario):
    client.force_login(scenario.reviewer_a)
    points = {scenario.criteria[0].pk: 10}
    response = client.post(change_url(scenario.a_shared), form_data(scenario, points, button="_submit"))
    assert response.status_code == 200
    assert scenario.criteria[1].name in response.content.decode()
    assert Review.objects.get().status == ReviewStatus.DRAFT


# --- locking ---------------------------------------------------------------------------------------------


def test_a_submitted_review_is_locked_on_the_page_and_against_a_crafted_post(client, scenario):
    review_submit(
        assignment=scenario.a_shared, by=scenario.reviewer_a, points=scenario.full_points(), comment="定稿"
    )
    client.force_login(scenario.reviewer_a)
    page = client.get(change_url(scenario.a_shared)).content.decode()
    assert 'id="review-locked"' in page and 'id="review-form"' not in page and 'name="_submit"' not in page
    for button in ("_save", "_submit", "_saveandnext"):
        data = form_data(scenario, {}, "改了", button, confirmed=True)
        response = client.post(change_url(scenario.a_shared), data)
        assert response.status_code == 200
    review = Review.objects.get(assignment=scenario.a_shared)
    assert review.status == ReviewStatus.SUBMITTED and review.comment == "定稿" and review.total == 80
    assert review.scores.count() == len(scenario.criteria)


def test_the_queue_offers_no_way_to_change_a_submitted_review(client, scenario):
    review_submit(assignment=scenario.a_shared, by=scenario.reviewer_a, points=scenario.full_points())
    client.force_login(scenario.reviewer_a)
    response = client.post(QUEUE, {"action": "delete_selected", "_selected_action": [scenario.a_shared.pk]})
    assert Review.objects.get(assignment=scenario.a_shared).status == ReviewStatus.SUBMITTED
    assert Assignment.objects.filter(pk=scenario.a_shared.pk).exists()
    assert response.status_code in {200, 302}


def test_a_case_no_longer_in_review_leaves_the_queue(client, scenario):
    scenario.shared_case.status = CaseStatus.INELIGIBLE
    scenario.shared_case.save()
    client.force_login(scenario.reviewer_a)
    assert scenario.shared_case.title not in client.get(QUEUE).content.decode()
    # The reviewer may still read the case and their draft (their history), but no longer score it.
    page = client.get(change_url(scenario.a_shared)).content.decode()
    assert 'id="scoring-closed"' in page and 'id="review-form"' not in page


def test_once_the_round_leaves_review_the_page_is_read_only(client, scenario):
    scenario.round.phase = "selection"
    scenario.round.save()
    client.force_login(scenario.reviewer_a)
    page = client.get(change_url(scenario.a_shared)).content.decode()
    assert 'id="scoring-closed"' in page and 'id="review-form"' not in page
    response = client.post(change_url(scenario.a_shared), form_data(scenario, button="_submit"))
    assert response.status_code == 200
    assert not Review.objects.exists()
