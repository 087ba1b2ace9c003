import pytest

from .scenario import build


@pytest.fixture
def scenario(round_):
    """A round in review: a rubric, reviewers A and B, a case assigned to both and one to A only."""
    return build(round_)
