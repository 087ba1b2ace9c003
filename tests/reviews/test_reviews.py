"""Saving, submitting, locking and reopening reviews (the services)."""

import pytest

from govcases.enums import Phase
from govcases.exceptions import Refused
from reviews.enums import ReviewStatus
from reviews.models import Review, ReviewEvent
from reviews.services import review_reopen, review_save, review_submit


def test_a_draft_keeps_partial_scores_and_the_submission_totals_and_locks(scenario):
    first = scenario.criteria[0]
    review = review_save(
        assignment=scenario.a_shared, by=scenario.reviewer_a, points={first.pk: 20}, comment="初稿"
    )
    assert review.status == ReviewStatus.DRAFT and review.total is None
    assert dict(review.scores.values_list("criterion_id", "points")) == {first.pk: 20}

    review = review_submit(
        assignment=scenario.a_shared, by=scenario.reviewer_a, points=scenario.full_points(), comment="很好"
    )
    assert review.status == ReviewStatus.SUBMITTED
    assert review.total == 100 - 5 * len(scenario.criteria)
    assert review.submitted_at is not None
    assert ReviewEvent.objects.filter(review=review, action="submitted", by=scenario.reviewer_a).exists()

    with pytest.raises(Refused):
        review_save(assignment=scenario.a_shared, by=scenario.reviewer_a, points={first.pk: 1})
    with pytest.raises(Refused):
        review_submit(assignment=scenario.a_shared, by=scenario.reviewer_a, points=scenario.full_points())
    review.refresh_from_db()
    assert review.scores.get(criterion=first).points == first.max_points - 5 and review.comment == "很好"


def test_submission_needs_every_criterion(scenario):
    points = scenario.full_points()
    points.pop(scenario.criteria[-1].pk)
    with pytest.raises(Refused, match=scenario.criteria[-1].name):
        review_submit(assignment=scenario.a_shared, by=scenario.reviewer_a, points=points)
    assert not Review.objects.filter(status=ReviewStatus.SUBMITTED).exists()


@pytest.mark.parametrize("points", [-1, 31, 2.5, True])
def test_points_outside_a_criterions_range_are_refused(scenario, points):
    innovation = scenario.criteria[0]  # at most 30 points
    with pytest.raises(Refused, match=innovation.name):
        review_save(assignment=scenario.a_shared, by=scenario.reviewer_a, points={innovation.pk: points})
    assert not Review.objects.exists()


def test_a_criterion_of_another_rubric_is_refused(scenario):
    with pytest.raises(Refused):
        review_save(assignment=scenario.a_shared, by=scenario.reviewer_a, points={999999: 1})


def test_only_the_assigned_reviewer_scores(scenario, organiser):
    for intruder in (scenario.reviewer_b, organiser):
        with pytest.raises(Refused):
            review_save(assignment=scenario.a_shared, by=intruder, points={})
    assert not Review.objects.exists()


@pytest.mark.parametrize("phase", [Phase.SUBMISSION, Phase.SELECTION])
def test_scoring_only_while_the_round_is_in_review(scenario, phase):
    scenario.round.phase = phase
    scenario.round.save()
    with pytest.raises(Refused):
        review_save(assignment=scenario.a_shared, by=scenario.reviewer_a, points={})


def test_an_organiser_reopens_with_a_reason_and_it_is_audited(scenario, organiser):
    review = review_submit(
        assignment=scenario.a_shared, by=scenario.reviewer_a, points=scenario.full_points()
    )
    with pytest.raises(Refused):
        review_reopen(review=review, by=organiser, reason="  ")
    with pytest.raises(Refused):
        review_reopen(review=review, by=scenario.reviewer_a, reason="改分")
    review_reopen(review=review, by=organiser, reason="第二项评分与评语不符")
    review.refresh_from_db()
    assert review.status == ReviewStatus.DRAFT and review.total is None
    event = review.events.get(action="reopened")
    assert (event.by, event.reason) == (organiser, "第二项评分与评语不符")
    # The reviewer may change and submit it again.
    review_submit(
        assignment=scenario.a_shared, by=scenario.reviewer_a, points=scenario.full_points(lambda c: 1)
    )
    review.refresh_from_db()
    assert review.total == len(scenario.criteria)
    with pytest.raises(Refused):
        review_reopen(review=Review.objects.create(assignment=scenario.b_shared), by=organiser, reason="x")
