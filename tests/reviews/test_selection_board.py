"""The selection board in /admin/: organisers only; propose, select with a reason, publish, reopen."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from govcases.enums import CaseStatus, Phase
from govcases.models import Publication
from reviews.models import SelectionDecision
from tests import factories
from tests.reviews.test_selection import scored_case, selection_round

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def reviewers(db):
    return [factories.ReviewerFactory() for _ in range(3)]


@pytest.fixture
def board(reviewers):
    round = selection_round([2, 1])
    cases = [
        scored_case(round, "disclosure", [90], reviewers, title="公开甲"),
        scored_case(round, "disclosure", [80], reviewers, title="公开乙"),
        scored_case(round, "disclosure", [70], reviewers, title="公开丙"),
        scored_case(round, "service", [85], reviewers, title="服务甲"),
    ]
    return round, cases, reverse("admin:reviews_selectionboard_change", args=[round.pk])


def selected_titles(round) -> set[str]:
    return set(
        SelectionDecision.objects.filter(case__round=round, selected=True).values_list(
            "case__title", flat=True
        )
    )


def test_the_board_shows_each_category_with_its_quota_and_ranked_cases(client, organiser, board):
    round, cases, url = board
    client.force_login(organiser)

    response = client.get(url, **EN)

    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="quota-disclosure">0 / 2<' in page
    assert 'id="quota-service">0 / 1<' in page
    assert page.index("公开甲") < page.index("公开乙") < page.index("公开丙")
    assert f'id="row-{cases[0].pk}"' in page


def test_the_board_list_links_each_round(client, organiser, board):
    client.force_login(organiser)
    response = client.get(reverse("admin:reviews_selectionboard_changelist"))
    assert response.status_code == 200
    assert board[2] in response.content.decode()


@pytest.mark.parametrize("who", ["reviewer", "officer", "anonymous"])
def test_the_board_is_for_organisers_only(client, board, reviewers, officer, who):
    round, cases, url = board
    user = {"reviewer": reviewers[0], "officer": officer, "anonymous": None}[who]
    if user:
        client.force_login(user)
    for target in (url, reverse("admin:reviews_selectionboard_changelist")):
        response = client.get(target)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    response = client.post(url, {"action": "propose"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    assert not SelectionDecision.objects.exists()


def test_propose_then_choose_with_a_reason_then_publish(client, organiser, board):
    round, cases, url = board
    client.force_login(organiser)

    client.post(url, {"action": "propose"})
    assert selected_titles(round) == {"公开甲", "公开乙", "服务甲"}

    client.post(url, {"action": "deselect", "case": cases[1].pk})
    response = client.post(url, {"action": "select", "case": cases[2].pk, "reason": ""}, follow=True, **EN)
    assert "give a reason" in response.content.decode()
    assert selected_titles(round) == {"公开甲", "服务甲"}

    client.post(url, {"action": "select", "case": cases[2].pk, "reason": "更贴近群众需求"})
    assert selected_titles(round) == {"公开甲", "公开丙", "服务甲"}
    history = client.get(url).content.decode()
    history = history[history.index('id="history"') :]
    assert "更贴近群众需求" in history and organiser.username in history

    response = client.post(url, {"action": "publish"}, follow=True)
    assert response.status_code == 200
    publication = Publication.objects.get(round=round)
    assert set(publication.cases.values_list("title", flat=True)) == {"公开甲", "公开丙", "服务甲"}
    round.refresh_from_db()
    assert round.phase == Phase.PUBLISHED
    assert 'id="reopen-form"' in response.content.decode()


def test_publish_from_the_board_is_refused_while_a_quota_is_unmet(client, organiser, board):
    round, cases, url = board
    client.force_login(organiser)
    client.post(url, {"action": "select", "case": cases[0].pk})

    response = client.post(url, {"action": "publish"}, follow=True, **EN)

    assert "Quotas are not met" in response.content.decode()
    assert not Publication.objects.exists()
    assert round.cases.filter(status=CaseStatus.IN_REVIEW).count() == 4


def test_reopen_for_a_correction(client, organiser, board):
    round, cases, url = board
    client.force_login(organiser)
    client.post(url, {"action": "propose"})
    client.post(url, {"action": "publish"})

    client.post(url, {"action": "reopen", "reason": "更正"})

    round.refresh_from_db()
    assert round.phase == Phase.SELECTION


def test_the_publish_action_on_the_board_list(client, organiser, board):
    round, cases, url = board
    client.force_login(organiser)
    client.post(url, {"action": "propose"})

    client.post(
        reverse("admin:reviews_selectionboard_changelist"),
        {"action": "publish_rounds", "_selected_action": [round.pk]},
    )

    assert Publication.objects.filter(round=round, version=1).exists()


def test_the_board_shows_a_tie_at_the_cut_line_to_choose_from(client, organiser, reviewers):
    round = selection_round([2])
    scored_case(round, "disclosure", [90], reviewers, title="第一")
    tied = [scored_case(round, "disclosure", [80], reviewers, title=title) for title in ("并列甲", "并列乙")]
    url = reverse("admin:reviews_selectionboard_change", args=[round.pk])
    client.force_login(organiser)

    response = client.post(url, {"action": "propose"}, follow=True, **EN)

    page = response.content.decode()
    assert "are tied at the cut line; choose 1 of them" in page
    assert 'id="quota-disclosure">1 / 2<' in page
    for case in tied:
        row = page[page.index(f'id="row-{case.pk}"') :]
        assert row[: row.index(">")].count("at-cut") == 1


def test_the_board_takes_the_same_number_of_queries_for_few_and_many_cases(client, organiser, reviewers):
    # Compared with each other rather than pinned: the admin's sidebar adds queries for every model that any
    # app registers, which is not this page's doing.
    client.force_login(organiser)
    counts = []
    for year, per_category in ((2024, 1), (2025, 8)):
        round = selection_round([2, 2, 2, 2], year=year)
        for code in ("disclosure", "service", "interaction", "platform"):
            for number in range(per_category):
                scored_case(round, code, [70 + number, 80], reviewers)
        url = reverse("admin:reviews_selectionboard_change", args=[round.pk])
        client.post(url, {"action": "propose"})
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        assert response.content.decode().count('class="selected') == 4 * min(2, per_category)
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
