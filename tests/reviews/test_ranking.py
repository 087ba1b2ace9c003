"""The ranking selector on real reviews: which cases are ranked, the score that drives it, normalisation."""

from decimal import Decimal

import pytest

from govcases.enums import CaseStatus, RankingScore
from reviews.models import Assignment, Criterion
from reviews.selectors import ranking_rows
from reviews.services import review_submit
from tests import factories

from .scenario import build, in_review_case


def score(reviewer, case, total):
    """Submits a review of `total` points (spread over the 2024 rubric: 30, 30, 20, 20)."""
    assignment, _ = Assignment.objects.get_or_create(reviewer=reviewer, case=case)
    remaining, points = total, {}
    for criterion in Criterion.objects.filter(round=case.round, category=case.category).order_by("position"):
        points[criterion.pk] = min(criterion.max_points, remaining)
        remaining -= points[criterion.pk]
    review_submit(assignment=assignment, by=reviewer, points=points)


@pytest.mark.parametrize(
    ("status", "ranked"),
    [
        (CaseStatus.DRAFT, False),
        (CaseStatus.SUBMITTED, False),
        (CaseStatus.WITHDRAWN, False),
        (CaseStatus.INELIGIBLE, False),
        (CaseStatus.IN_REVIEW, True),
        (CaseStatus.SELECTED, True),
        (CaseStatus.NOT_SELECTED, True),
        (CaseStatus.PUBLISHED, True),
    ],
)
def test_which_cases_are_ranked(round_, status, ranked):
    built = build(round_)
    case = factories.CaseFactory(round=round_, category=built.category, status=status, images=0)
    assert (case in [row.case for row in ranking_rows(round=round_)]) is ranked


def test_unscored_cases_come_last_without_a_rank(round_):
    built = build(round_)
    score(built.reviewer_a, built.a_only_case, 70)
    rows = ranking_rows(round=round_)
    assert [(row.case, row.rank, row.reviews, row.mean) for row in rows] == [
        (built.a_only_case, 1, 1, Decimal("70.00")),
        (built.shared_case, None, 0, None),
    ]


def test_categories_are_ranked_separately_and_filtered(round_):
    built = build(round_)
    other = round_.categories.order_by("position")[1]
    factories.rubric(round_, other)
    other_case = in_review_case(round_, other)
    score(built.reviewer_a, built.a_only_case, 60)
    score(built.reviewer_a, other_case, 90)
    rows = ranking_rows(round=round_)
    assert [(row.category, row.case, row.rank) for row in rows] == [
        (built.category, built.a_only_case, 1),
        (built.category, built.shared_case, None),
        (other, other_case, 1),
    ]
    assert [row.case for row in ranking_rows(round=round_, category=other)] == [other_case]


def test_the_round_setting_decides_which_score_drives_the_ranking(round_):
    """A harsh reviewer scores case X; a lenient one scores Y. Normalised, X comes first."""
    round_.normalisation_min_reviews = 3
    round_.save()
    built = build(round_)
    harsh, lenient = built.reviewer_a, built.reviewer_b
    x, y = built.a_only_case, built.shared_case
    fillers = [in_review_case(round_, built.category) for _ in range(4)]
    score(harsh, x, 70)
    for case, total in zip(fillers, [40, 45, 50, 55], strict=True):
        score(harsh, case, total)
    score(lenient, y, 80)
    for case, total in zip(fillers, [80, 85, 90, 95], strict=True):
        score(lenient, case, total)

    by_mean = {row.case: row for row in ranking_rows(round=round_)}
    assert by_mean[y].rank < by_mean[x].rank  # raw: 80 beats 70
    assert by_mean[x].normalised > by_mean[y].normalised  # but 70 is harsh's best, 80 lenient's worst
    assert by_mean[x].score == by_mean[x].mean

    round_.ranking_score = RankingScore.NORMALISED
    round_.save()
    by_normalised = {row.case: row for row in ranking_rows(round=round_)}
    assert by_normalised[x].rank < by_normalised[y].rank
    assert by_normalised[x].score == by_normalised[x].normalised


def test_the_ranking_reads_the_database_a_constant_number_of_times(round_, django_assert_num_queries):
    built = build(round_)
    for index in range(20):
        score(built.reviewer_a, in_review_case(round_, built.category), 50 + index)
    with django_assert_num_queries(4):
        rows = ranking_rows(round=round_)
        assert all(row.case.agency.name and row.category.name for row in rows)
