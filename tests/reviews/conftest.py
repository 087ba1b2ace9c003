import pytest

from tests import factories

from .scenario import build


@pytest.fixture
def scenario(round_):
    """A round in review: a rubric, reviewers A and B, a case assigned to both and one to A only."""
    return build(round_)


@pytest.fixture
def built(round_):
    """The same round with two reviews per case (the shared case is full) and a third reviewer, C (张丙), who
    may take a case given back."""
    built = build(round_)
    built.round.reviews_per_case = 2
    built.round.save()
    built.reviewer_c = factories.ReviewerFactory(username="reviewer_c", first_name="丙", last_name="张")
    return built
