"""Verification (复核校验): each provisionally selected case is checked, before publication, by someone other
than its reviewers; a failed check sends it back to the selection board; publication waits for every check."""

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from govcases.enums import CaseStatus, Phase
from govcases.exceptions import Refused
from govcases.models import Publication, Round
from govcases.selectors import round_steps_offered
from govcases.services import publication_create, round_phase_set
from reviews.models import VerificationCheck
from reviews.services import round_publish, selection_decide, selection_propose, verification_record
from tests import factories
from tests.reviews.test_selection import scored_case

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
DEAD_LINK = "服务链接无法访问"


@pytest.fixture
def reviewers(db):
    return [factories.ReviewerFactory() for _ in range(2)]


@pytest.fixture
def researcher(db):
    return factories.ResearcherFactory()


def verifying_round(organiser, reviewers, *, year: int = 2024, per_category: int = 2, seats: int = 1):
    """A round that verifies, its proposal staged (the top case of each of two categories), in verification."""
    round = factories.RoundFactory(
        year=year, phase=Phase.SELECTION, verification_enabled=True, quotas=[seats] * 2
    )
    for code in ("disclosure", "service"):
        for number in range(per_category):
            scored_case(round, code, [90 - number, 80 - number], reviewers, title=f"{code}案例{number}")
    selection_propose(round=round, by=organiser)
    round_phase_set(round=round, to=Phase.VERIFICATION, by=organiser)
    round.refresh_from_db()
    return round


def selected(round):
    return list(round.cases.filter(selection__selected=True).order_by("pk"))


def test_a_round_that_verifies_goes_from_selection_to_verification_and_only_then_to_publication(
    organiser, reviewers
):
    round = factories.RoundFactory(phase=Phase.SELECTION, verification_enabled=True, quotas=[1])
    scored_case(round, "disclosure", [90], reviewers)
    selection_propose(round=round, by=organiser)
    assert round_steps_offered(round=round) == [Phase.VERIFICATION]
    with translation.override("en"), pytest.raises(Refused, match="“Verification” phase can be published"):
        round_publish(round=round, by=organiser, override=True, reason="跳过复核")

    round_phase_set(round=round, to=Phase.VERIFICATION, by=organiser)

    round.refresh_from_db()
    assert round.phase == Phase.VERIFICATION
    assert round_steps_offered(round=round) == []  # publication is on the selection board


def test_publication_waits_for_every_selected_case_to_pass_and_no_override_passes_over_it(
    organiser, reviewers, researcher
):
    round = verifying_round(organiser, reviewers)
    first, second = selected(round)
    verification_record(case=first, passed=True, by=researcher)

    with translation.override("en"), pytest.raises(Refused) as refused:
        round_publish(round=round, by=organiser, override=True, reason="赶时间")
    assert "1 selected case is not verified yet" in str(refused.value)
    assert "cannot be overridden" in str(refused.value)
    with pytest.raises(CommandError, match="not verified"), translation.override("en"):
        call_command("publish", str(round.year), "--override", "--reason", "赶时间", stdout=io.StringIO())
    assert not Publication.objects.exists()

    verification_record(case=second, passed=True, by=researcher)
    publication = round_publish(round=round, by=organiser)

    assert publication.version == 1
    assert set(round.cases.filter(status=CaseStatus.PUBLISHED)) == {first, second}


def test_a_failed_check_sends_the_case_back_to_the_board_until_it_is_replaced(
    client, organiser, reviewers, researcher
):
    round = verifying_round(organiser, reviewers, per_category=2)
    failing, other = selected(round)
    replacement = round.cases.get(title="disclosure案例1")
    verification_record(case=other, passed=True, by=researcher)
    verification_record(case=failing, passed=False, by=researcher, reason=DEAD_LINK)

    client.force_login(organiser)
    board = client.get(reverse("admin:reviews_selectionboard_change", args=[round.pk]), **EN).content.decode()
    row = board[board.index(f'id="row-{failing.pk}"') :]
    assert f"Verification failed: {DEAD_LINK}" in row[: row.index("</tr>")]
    with translation.override("en"), pytest.raises(Refused, match="failed its verification"):
        round_publish(round=round, by=organiser)

    # Replaced on the board (the selection stays open during verification); the replacement is checked too.
    selection_decide(case=failing, selected=False, by=organiser, reason="复核未通过")
    selection_decide(case=replacement, selected=True, by=organiser, reason="递补")
    with translation.override("en"), pytest.raises(Refused, match="not verified yet"):
        round_publish(round=round, by=organiser)
    verification_record(case=replacement, passed=True, by=researcher)
    board = client.get(reverse("admin:reviews_selectionboard_change", args=[round.pk]), **EN).content.decode()
    row = board[board.index(f'id="row-{failing.pk}"') :]
    assert f"Verification failed: {DEAD_LINK}" in row[: row.index("</tr>")]  # kept in view, deselected
    round_publish(round=round, by=organiser)

    assert set(round.cases.filter(status=CaseStatus.PUBLISHED)) == {other, replacement}
    failing.refresh_from_db()
    assert failing.status == CaseStatus.NOT_SELECTED


def test_a_later_passing_check_resolves_a_failed_one_and_the_history_keeps_both(
    organiser, reviewers, researcher
):
    round = verifying_round(organiser, reviewers)
    first, second = selected(round)
    verification_record(case=first, passed=False, by=researcher, reason=DEAD_LINK)
    verification_record(case=first, passed=True, by=organiser, reason="链接已恢复")
    verification_record(case=second, passed=True, by=researcher)

    round_publish(round=round, by=organiser)

    assert list(VerificationCheck.objects.filter(case=first).values_list("passed", "reason")) == [
        (False, DEAD_LINK),
        (True, "链接已恢复"),
    ]


def test_a_reviewer_of_the_case_cannot_verify_it_even_as_an_organiser(organiser, reviewers):
    round = verifying_round(organiser, reviewers)
    case = selected(round)[0]
    factories.AssignmentFactory(reviewer=organiser, case=case)
    with translation.override("en"), pytest.raises(Refused, match="You reviewed this case"):
        verification_record(case=case, passed=True, by=organiser)
    assert not VerificationCheck.objects.exists()


@pytest.mark.parametrize("who", ["reviewer", "officer", "nobody"])
def test_only_the_organisers_and_the_research_team_verify(who, organiser, reviewers, officer):
    round = verifying_round(organiser, reviewers)
    case = selected(round)[0]
    user = {"reviewer": factories.ReviewerFactory(), "officer": officer, "nobody": None}[who]
    with pytest.raises(Refused):
        verification_record(case=case, passed=True, by=user)
    assert not VerificationCheck.objects.exists()


def test_a_failure_needs_a_reason_and_only_a_selected_case_in_verification_is_checked(
    organiser, reviewers, researcher
):
    round = verifying_round(organiser, reviewers, per_category=2)
    case = selected(round)[0]
    with translation.override("en"), pytest.raises(Refused, match="Say what failed"):
        verification_record(case=case, passed=False, by=researcher, reason=" ")
    not_selected = round.cases.get(title="service案例1")
    with translation.override("en"), pytest.raises(Refused, match="provisional selection"):
        verification_record(case=not_selected, passed=True, by=researcher)
    Round.objects.filter(pk=round.pk).update(phase=Phase.SELECTION)
    with translation.override("en"), pytest.raises(Refused, match="verification phase"):
        verification_record(case=case, passed=True, by=researcher)
    assert not VerificationCheck.objects.exists()


def test_publication_from_selection_needs_no_checks_when_the_round_does_not_verify(organiser, reviewers):
    round = factories.RoundFactory(phase=Phase.SELECTION, quotas=[1])
    case = scored_case(round, "disclosure", [90], reviewers)
    selection_propose(round=round, by=organiser)
    publication_create(round=round, selected=[case], by=organiser, override=True, reason="测试")
    case.refresh_from_db()
    assert case.status == CaseStatus.PUBLISHED


def test_the_step_into_verification_lists_unfilled_quotas(client, organiser, reviewers):
    round = factories.RoundFactory(phase=Phase.SELECTION, verification_enabled=True, quotas=[2])
    scored_case(round, "disclosure", [90], reviewers)
    selection_propose(round=round, by=organiser)
    client.force_login(organiser)
    page = client.get(reverse("admin:govcases_round_step", args=[round.pk, "verification"]), **EN)
    text = page.content.decode()
    assert "1 of 2 seats are filled" in text
    assert "1 selected case is to be checked by someone other than its reviewers" in text


# --- the verification list ----------------------------------------------------------------------------------


def test_the_verification_list_checks_from_plain_forms_and_shows_earlier_selected_cases(
    client, organiser, reviewers, researcher
):
    earlier = factories.RoundFactory(year=2023, phase=Phase.SELECTION, quotas=[1])
    round = verifying_round(organiser, reviewers)
    case = selected(round)[0]
    old = factories.CaseFactory(
        round=earlier,
        agency=case.agency,
        title=case.title + "（一期）",
        status=CaseStatus.IN_REVIEW,
        images=0,
    )
    publication_create(round=earlier, selected=[old], by=organiser, override=True, reason="往年")
    client.force_login(researcher)
    url = reverse("admin:reviews_verificationboard_change", args=[round.pk])

    page = client.get(url, **EN).content.decode()
    row = page[page.index(f'id="case-{case.pk}"') :]
    row = row[: row.index("</tr>")]
    assert f"2023 · {old.title}" in row and "same agency" in row
    assert reverse("public:case", args=[old.pk]) in row

    response = client.post(url, {"case": case.pk, "action": "fail", "reason": DEAD_LINK})
    assert response.status_code == 302
    page = client.get(url + "?state=failed", **EN).content.decode()
    assert re.findall(r'<tr id="case-(\d+)"', page) == [str(case.pk)]
    assert f"✗ failed: {DEAD_LINK}" in page
    assert VerificationCheck.objects.get().by == researcher


def test_the_verification_list_leaves_out_the_buttons_on_a_case_the_user_reviewed(
    client, organiser, reviewers
):
    round = verifying_round(organiser, reviewers)
    case, other = selected(round)
    factories.AssignmentFactory(reviewer=organiser, case=case)
    client.force_login(organiser)
    url = reverse("admin:reviews_verificationboard_change", args=[round.pk])
    page = client.get(url, **EN).content.decode()

    def row(pk):
        found = page[page.index(f'id="case-{pk}"') :]
        return found[: found.index("</tr>")]

    assert "You reviewed this case" in row(case.pk) and 'value="pass"' not in row(case.pk)
    assert 'value="pass"' in row(other.pk)
    client.post(url, {"case": case.pk, "action": "pass"})
    assert not VerificationCheck.objects.exists()


def test_the_verification_list_takes_the_same_number_of_queries_for_few_and_many_cases(
    client, organiser, reviewers, researcher
):
    client.force_login(organiser)
    counts = []
    for year, seats in ((2024, 1), (2025, 12)):
        round = verifying_round(organiser, reviewers, year=year, per_category=seats, seats=seats)
        for case in selected(round)[::2]:
            verification_record(case=case, passed=True, by=researcher)
        url = reverse("admin:reviews_verificationboard_change", args=[round.pk])
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.content.decode().count('<tr id="case-') == 2 * seats
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize("who", ["reviewer", "officer"])
def test_reviewers_and_agencies_cannot_open_or_post_to_the_verification_list(
    client, who, organiser, reviewers, officer
):
    round = verifying_round(organiser, reviewers)
    case = selected(round)[0]
    client.force_login(reviewers[0] if who == "reviewer" else officer)
    url = reverse("admin:reviews_verificationboard_change", args=[round.pk])
    assert client.get(url).status_code in {302, 403}
    client.post(url, {"case": case.pk, "action": "pass"})
    assert not VerificationCheck.objects.exists()
