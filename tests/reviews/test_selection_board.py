"""The selection board in /admin/: organisers only; propose, select with a reason, publish, reopen."""

import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.template import Context, Template, TemplateSyntaxError
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from govcases.enums import CaseStatus, Phase
from govcases.models import Publication, Quota
from govcases.pagecache import FRAGMENT_FORMS, cached_fragment
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

    assert "seats are filled" in response.content.decode()
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


def shown_rows(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'<tr id="row-(\d+)"', response.content.decode())]


def test_a_long_category_shows_the_cases_around_the_cut_line_and_every_case_on_demand(
    client, organiser, reviewers
):
    round = selection_round([2])
    cases = [scored_case(round, "disclosure", [99 - n], reviewers, title=f"案例{n:02d}") for n in range(20)]
    url = reverse("admin:reviews_selectionboard_change", args=[round.pk])
    client.force_login(organiser)
    # A case chosen far below the cut line stays in view.
    client.post(url, {"action": "select", "case": cases[19].pk, "reason": "示范意义突出"})

    around = client.get(url, **EN)

    assert shown_rows(around) == [case.pk for case in cases[:12]] + [cases[19].pk]
    assert "7 more cases ranked lower." in around.content.decode()
    every = client.get(url + "?all=1", **EN)
    assert shown_rows(every) == [case.pk for case in cases]
    assert "ranked lower" not in every.content.decode()


def test_the_cases_shown_below_the_cut_line_never_split_a_tie(client, organiser, reviewers):
    round = selection_round([1])
    totals = [99 - n for n in range(10)] + [80, 80, 80, 70]
    cases = [scored_case(round, "disclosure", [total], reviewers) for total in totals]
    client.force_login(organiser)

    response = client.get(reverse("admin:reviews_selectionboard_change", args=[round.pk]), **EN)

    assert shown_rows(response) == [case.pk for case in cases[:13]]
    assert "1 more case ranked lower." in response.content.decode()


def test_the_board_shows_a_changed_quota_at_once(client, organiser, board):
    round, cases, url = board
    client.force_login(organiser)
    assert 'id="quota-disclosure">0 / 2<' in client.get(url).content.decode()

    Quota.objects.filter(round=round, category__code="disclosure").update(seats=3)

    assert 'id="quota-disclosure">0 / 3<' in client.get(url).content.decode()


def test_every_organiser_gets_a_token_of_their_own_beside_the_cached_board(organiser, board):
    round, cases, url = board
    for user, action in ((organiser, "select"), (factories.OrganiserFactory(), "deselect")):
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(user)
        page = browser.get(url).content.decode()
        # The board is stored without tokens: each POST form in it gets this visitor's token from outside it.
        post_forms = re.findall(r'<form method="post"[^>]* id="([^"]+)"', page)
        tokens = {
            form: value
            for value, form in re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)" form="([^"]+)"', page)
        }
        assert f"decide-{cases[3].pk}" in post_forms and "propose-form" in post_forms
        assert set(post_forms) <= set(tokens)
        token = tokens[f"decide-{cases[3].pk}"]

        response = browser.post(url, {"action": action, "case": cases[3].pk, "csrfmiddlewaretoken": token})

        assert response.status_code == 302
        decision = SelectionDecision.objects.get(case=cases[3])
        assert (decision.selected, decision.decided_by) == (action == "select", user)
    # Without a token of the visitor's own, nothing happens.
    stranger = Client(enforce_csrf_checks=True)
    stranger.force_login(organiser)
    assert stranger.post(url, {"action": "propose", "csrfmiddlewaretoken": "x" * 64}).status_code == 403


def test_a_cached_fragment_that_would_keep_a_token_is_refused(rf, organiser):
    request = rf.get("/")
    request.user, request.LANGUAGE_CODE = organiser, "en"
    with_token = Template('<form method="post">{% csrf_token %}</form>')
    with pytest.raises(ImproperlyConfigured):
        cached_fragment(
            request, ["with a token"], lambda forms: with_token.render(Context({"csrf_token": "t"}))
        )
    # The tag that names a fragment's form makes sense only inside a fragment.
    with pytest.raises(TemplateSyntaxError):
        Template('{% load fragments %}<form {% fragment_form "a" %}>').render(Context())
    named = Template('{% load fragments %}<form method="post" {% fragment_form "decide" 7 %}></form>')
    piece = cached_fragment(request, ["named"], lambda forms: named.render(Context({FRAGMENT_FORMS: forms})))
    assert piece.startswith('<form method="post" id="decide-7"></form><input type="hidden"')
    assert 'form="decide-7">' in piece
