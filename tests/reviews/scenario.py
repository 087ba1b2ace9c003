"""A round in review with a rubric, two reviewers and a few assigned cases: the setting of the review tests."""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from govcases.enums import CaseStatus, Level, Phase, Province
from govcases.models import Case, Category, Round
from reviews.models import Assignment, Criterion
from tests import factories


@dataclass
class Scenario:
    round: Round
    category: Category
    criteria: list[Criterion]
    reviewer_a: object
    reviewer_b: object
    shared_case: Case  # assigned to A and B
    a_only_case: Case  # assigned to A only
    a_shared: Assignment
    b_shared: Assignment
    a_only: Assignment

    def full_points(self, value_of=lambda criterion: criterion.max_points - 5):
        return {criterion.pk: value_of(criterion) for criterion in self.criteria}


def in_review_case(round_, category, **kwargs):
    kwargs.setdefault(
        "agency",
        factories.AgencyFactory(level=Level.PREFECTURE, province=Province.SICHUAN),
    )
    return factories.CaseFactory(round=round_, category=category, status=CaseStatus.IN_REVIEW, **kwargs)


def build(round_) -> Scenario:
    round_.phase = Phase.REVIEW
    round_.submission_deadline = timezone.now() - timedelta(days=1)
    round_.review_deadline = timezone.now() + timedelta(days=10)
    round_.save()
    category = round_.categories.order_by("position").first()
    criteria = factories.rubric(round_, category)
    reviewer_a = factories.ReviewerFactory(username="reviewer_a", first_name="甲", last_name="王")
    reviewer_b = factories.ReviewerFactory(username="reviewer_b", first_name="乙", last_name="李")
    shared_case = in_review_case(round_, category, title="共享案例：不动产登记一网通办")
    a_only_case = in_review_case(round_, category, title="仅甲案例：惠企政策免申即享")
    return Scenario(
        round=round_,
        category=category,
        criteria=criteria,
        reviewer_a=reviewer_a,
        reviewer_b=reviewer_b,
        shared_case=shared_case,
        a_only_case=a_only_case,
        a_shared=Assignment.objects.create(reviewer=reviewer_a, case=shared_case),
        b_shared=Assignment.objects.create(reviewer=reviewer_b, case=shared_case),
        a_only=Assignment.objects.create(reviewer=reviewer_a, case=a_only_case),
    )
