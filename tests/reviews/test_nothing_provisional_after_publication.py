"""After publication no page calls the decisions provisional (暂定): the organisers' boards, the agency's
portal and the reviewer's site show them as final; before publication the selection board says they are
staged."""

import pytest
from django.urls import reverse

from govcases.models import AgencyMember
from govcases.permissions import AGENCIES
from reviews.services import round_publish, selection_propose
from tests import factories

from .test_selection import scored_case, selection_round

pytestmark = pytest.mark.django_db
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
PROVISIONAL = "暂定"


@pytest.fixture
def reviewers(db):
    return [factories.ReviewerFactory() for _ in range(3)]


@pytest.fixture
def staged(organiser, reviewers):
    """A round in selection with one seat in 公开解读, its two ranked cases, the top one staged."""
    round = selection_round([1])
    cases = {
        "甲": scored_case(round, "disclosure", [90, 88], reviewers, title="甲"),
        "乙": scored_case(round, "disclosure", [80, 82], reviewers, title="乙"),
    }
    selection_propose(round=round, by=organiser)
    return round, cases


def organiser_pages(round) -> list[str]:
    return [
        reverse("admin:reviews_selectionboard_change", args=[round.pk]),
        reverse("admin:reviews_selectionboard_change", args=[round.pk]) + "?all=1",
        reverse("admin:reviews_rankingboard_change", args=[round.pk]),
        reverse("admin:govcases_case_changelist") + f"?round__id__exact={round.pk}",
        reverse("admin:govcases_round_change", args=[round.pk]),
    ]


def test_before_publication_the_board_says_the_decisions_are_staged(client, staged, organiser):
    round, _cases = staged
    client.force_login(organiser)
    board = client.get(organiser_pages(round)[0], **ZH).content.decode()
    assert PROVISIONAL in board and 'id="decisions-staged"' in board


def test_after_publication_no_page_calls_the_decisions_provisional(client, staged, organiser, reviewers):
    round, cases = staged
    round_publish(round=round, by=organiser)

    client.force_login(organiser)
    for url in organiser_pages(round):
        response = client.get(url, **ZH)
        assert response.status_code == 200, url
        assert PROVISIONAL not in response.content.decode(), url
    board = client.get(organiser_pages(round)[0], **ZH).content.decode()
    assert 'id="decisions-final"' in board and "最终" in board

    officer = factories.UserFactory(username="jia_officer", groups=[AGENCIES])
    AgencyMember.objects.create(user=officer, agency=cases["甲"].agency)
    client.force_login(officer)
    for url in [reverse("portal:dashboard"), reverse("portal:case", args=[cases["甲"].pk])]:
        page = client.get(url, **ZH).content.decode()
        assert PROVISIONAL not in page, url
    assert "已入选" in client.get(reverse("portal:case", args=[cases["甲"].pk]), **ZH).content.decode()

    client.force_login(reviewers[0])
    assignment = cases["甲"].assignments.get(reviewer=reviewers[0])
    for url in [
        reverse("review:reviews_assignment_changelist"),
        reverse("review:reviews_assignment_history"),
        reverse("review:reviews_assignment_change", args=[assignment.pk]),
    ]:
        response = client.get(url, **ZH)
        assert response.status_code == 200, url
        assert PROVISIONAL not in response.content.decode(), url
