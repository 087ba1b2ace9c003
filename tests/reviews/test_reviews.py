"""Saving, submitting, locking and reopening reviews (the services)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from govcases.enums import Phase
from govcases.exceptions import Refused
from govcases.models import Case, Round
from reviews.enums import ReviewStatus
from reviews.models import Assignment, Review, ReviewEvent
from reviews.services import ReviewSheet, review_bulk_submit, review_reopen, review_save, review_submit

from .scenario import in_review_case


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


# --- many reviews at once (the demo's large rounds) -----------------------------------------------------


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def sheets_for(scenario, assignments, points=None):
    return [
        ReviewSheet(assignment_id=assignment.pk, points=points or scenario.full_points(), comment=" 很好 ")
        for assignment in assignments
    ]


def test_many_reviews_are_submitted_as_one_by_one(scenario, english):
    revision = Round.objects.get(pk=scenario.round.pk).revision
    assignments = [scenario.a_shared, scenario.b_shared, scenario.a_only]

    assert review_bulk_submit(sheets=sheets_for(scenario, assignments)) == 3

    for assignment in assignments:
        review = Review.objects.get(assignment=assignment)
        assert (review.status, review.total, review.comment) == (
            ReviewStatus.SUBMITTED,
            100 - 5 * len(scenario.criteria),
            "很好",
        )
        assert dict(review.scores.values_list("criterion_id", "points")) == scenario.full_points()
        assert review.events.get().by == assignment.reviewer
    # The boards of the round show the new reviews at once.
    assert Round.objects.get(pk=scenario.round.pk).revision != revision
    # Submitted reviews are locked: a second bulk submission is refused.
    with pytest.raises(Refused, match="locked"):
        review_bulk_submit(sheets=sheets_for(scenario, [scenario.a_only]))


def test_the_bulk_path_takes_the_same_queries_for_3_reviews_as_for_30(scenario):
    cases = [in_review_case(scenario.round, scenario.category) for _ in range(27)]
    many = [Assignment.objects.create(reviewer=scenario.reviewer_b, case=case) for case in cases]
    with CaptureQueriesContext(connection) as few:
        review_bulk_submit(
            sheets=sheets_for(scenario, [scenario.a_shared, scenario.b_shared, scenario.a_only])
        )
    Review.objects.all().delete()
    with CaptureQueriesContext(connection) as thirty:
        review_bulk_submit(sheets=sheets_for(scenario, [scenario.a_shared, scenario.b_shared, *many[:28]]))
    assert Review.objects.count() == 29 and len(thirty) == len(few)


def first_criterion_missing(scenario):
    points = scenario.full_points()
    points.pop(scenario.criteria[0].pk)
    return points


@pytest.mark.parametrize(
    "change, refusal",
    [
        (lambda s: setattr(s.round, "phase", Phase.SELECTION) or s.round.save(), "in review"),
        (
            lambda s: Case.objects.filter(pk=s.a_only_case.pk).update(status="withdrawn"),
            "no longer in review",
        ),
        (lambda s: s.reviewer_b.groups.clear(), "assigned reviewer"),
        (lambda s: setattr(s, "points", first_criterion_missing(s)), "Score every criterion"),
        (lambda s: setattr(s, "points", {**s.full_points(), s.criteria[0].pk: 31}), "whole number"),
        (lambda s: setattr(s, "points", {**s.full_points(), 999999: 1}), "not part of the case's rubric"),
    ],
)
def test_the_bulk_path_refuses_what_review_submit_refuses_and_writes_nothing(
    scenario, english, change, refusal
):
    scenario.points = None
    change(scenario)
    sheets = sheets_for(scenario, [scenario.a_shared, scenario.b_shared, scenario.a_only], scenario.points)
    with pytest.raises(Refused, match=refusal):
        review_bulk_submit(sheets=sheets)
    assert not Review.objects.exists() and not ReviewEvent.objects.exists()
