"""A reviewer's own history: every review of every round, read-only, after publication and archiving too; a
draft left when the round ended shows as not submitted; never anyone else's review."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from govcases.enums import CaseStatus, Phase
from govcases.models import Case, Round
from reviews.services import review_save, review_submit
from tests import factories

from .scenario import in_review_case

pytestmark = pytest.mark.django_db
HISTORY = reverse("review:reviews_assignment_history")
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def change_url(assignment):
    return reverse("review:reviews_assignment_change", args=[assignment.pk])


def end_round(round_, phase):
    """The round as it stands after review (the cases' outcomes set as publication sets them)."""
    Round.objects.filter(pk=round_.pk).update(phase=phase)
    Case.objects.filter(round=round_).update(status=CaseStatus.PUBLISHED)


@pytest.fixture
def reviewed(scenario):
    """Reviewer A submitted the shared case and left the other as a draft; B submitted the shared case."""
    points = {criterion.pk: criterion.max_points - 5 for criterion in scenario.criteria}
    review_submit(
        assignment=scenario.a_shared, by=scenario.reviewer_a, points=points, comment="甲的评语：扎实"
    )
    review_save(
        assignment=scenario.a_only,
        by=scenario.reviewer_a,
        points={scenario.criteria[0].pk: 9},
        comment="未完",
    )
    review_submit(
        assignment=scenario.b_shared, by=scenario.reviewer_b, points=points, comment="乙的评语：保密"
    )
    return scenario


@pytest.mark.parametrize("phase", [Phase.PUBLISHED, Phase.ARCHIVED])
def test_after_the_round_ends_the_reviewer_still_reads_their_reviews(client, reviewed, phase):
    end_round(reviewed.round, phase)
    client.force_login(reviewed.reviewer_a)

    page = client.get(HISTORY, **EN).content.decode()
    shared = page[page.index(f'id="history-line-{reviewed.a_shared.pk}"') :]
    shared = shared[: shared.index("</tr>")]
    submitted_at = timezone.localtime(reviewed.a_shared.review.submitted_at).strftime("%Y-%m-%d %H:%M")
    assert f"Submitted on {submitted_at}" in shared
    assert "创新性 25/30" in shared and "实效性 25/30" in shared and ">80<" in shared
    assert "甲的评语：扎实" in shared
    # The draft left when the round ended was never submitted, and says so.
    draft = page[page.index(f'id="history-line-{reviewed.a_only.pk}"') :]
    draft = draft[: draft.index("</tr>")]
    assert "Not submitted" in draft and "创新性 9/30" in draft

    # Each review opens, read-only, as it was: no form, no button.
    response = client.get(change_url(reviewed.a_shared), **EN)
    assert response.status_code == 200
    opened = response.content.decode()
    assert 'id="review-total">80 / 100' in opened and "甲的评语：扎实" in opened
    assert 'id="review-form"' not in opened and 'name="_submit"' not in opened


def test_the_queue_links_to_the_history(client, reviewed):
    end_round(reviewed.round, Phase.PUBLISHED)
    client.force_login(reviewed.reviewer_a)
    queue = client.get(reverse("review:reviews_assignment_changelist"), **EN).content.decode()
    assert f'href="{HISTORY}"' in queue


def test_while_the_round_is_in_review_a_draft_is_a_draft(client, reviewed):
    client.force_login(reviewed.reviewer_a)
    page = client.get(HISTORY, **EN).content.decode()
    draft = page[page.index(f'id="history-line-{reviewed.a_only.pk}"') :]
    assert "Draft" in draft[: draft.index("</tr>")] and "Not submitted" not in page


@pytest.mark.parametrize("phase", [Phase.REVIEW, Phase.PUBLISHED])
def test_never_anyone_elses_review(client, reviewed, phase):
    if phase != Phase.REVIEW:
        end_round(reviewed.round, phase)
    client.force_login(reviewed.reviewer_a)
    assert "乙的评语：保密" not in client.get(HISTORY).content.decode()
    assert client.get(change_url(reviewed.b_shared)).status_code == 404
    # Nor through a crafted POST to another reviewer's assignment.
    assert client.post(change_url(reviewed.b_shared), {"comment": "改", "_save": "1"}).status_code == 404
    assert reviewed.b_shared.review.comment == "乙的评语：保密"


@pytest.mark.parametrize("who", ["anonymous", "officer", "organiser"])
def test_only_reviewers_read_a_history(client, reviewed, officer, organiser, who):
    if who != "anonymous":
        client.force_login({"officer": officer, "organiser": organiser}[who])
    response = client.get(HISTORY)
    assert response.status_code == 302 and response["Location"].startswith(reverse("review:login"))


def test_a_finished_round_cannot_be_scored_through_a_crafted_post(client, reviewed):
    end_round(reviewed.round, Phase.PUBLISHED)
    client.force_login(reviewed.reviewer_a)
    data = {f"criterion_{criterion.pk}": 1 for criterion in reviewed.criteria}
    client.post(change_url(reviewed.a_only), {**data, "comment": "补交", "_submit": "1", "_confirmed": "1"})
    review = reviewed.a_only.review
    review.refresh_from_db()
    assert review.status == "draft" and review.comment == "未完"


def history_queries(client, reviewer) -> int:
    client.force_login(reviewer)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(HISTORY).status_code == 200
    return len(queries)


def test_the_history_takes_as_many_queries_for_three_reviews_as_for_thirty(client, scenario):
    def reviewer_with(count):
        reviewer = factories.ReviewerFactory()
        for number in range(count):
            case = in_review_case(scenario.round, scenario.category, title=f"案例{number}")
            assignment = factories.AssignmentFactory(reviewer=reviewer, case=case)
            review_save(
                assignment=assignment,
                by=reviewer,
                points={criterion.pk: 3 for criterion in scenario.criteria},
                comment=f"评语{number}",
            )
        return reviewer

    few, many = reviewer_with(3), reviewer_with(30)
    assert history_queries(client, few) == history_queries(client, many)
