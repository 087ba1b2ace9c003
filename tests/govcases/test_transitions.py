from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from govcases.enums import CaseStatus, Phase
from govcases.exceptions import Refused
from govcases.models import Case, CaseTransition, Round
from govcases.services import case_submit, case_transition, case_withdraw, round_phase_set
from tests import factories

pytestmark = pytest.mark.django_db


def test_an_officer_submits_a_complete_draft_and_gets_a_reference_and_an_email(round_, officer, deliver_mail):
    case = factories.CaseFactory(round=round_, agency=officer.agency_membership.agency)

    case = case_submit(case=case, by=officer)
    deliver_mail()

    assert case.status == CaseStatus.SUBMITTED
    assert case.reference == "2024-0001"
    audit = CaseTransition.objects.get(case=case)
    assert (audit.from_status, audit.to_status, audit.by) == (CaseStatus.DRAFT, CaseStatus.SUBMITTED, officer)
    # One e-mail to each of the agency's addresses: its contact and its officer.
    assert sorted(message.to[0] for message in mail.outbox) == sorted([case.agency.email, officer.email])
    assert all("2024-0001" in message.subject for message in mail.outbox)


def test_submitting_names_every_missing_field(round_, officer):
    case = factories.CaseFactory(
        round=round_, agency=officer.agency_membership.agency, title="", outcomes="", images=0
    )
    with pytest.raises(ValidationError) as refused:
        case_submit(case=case, by=officer)
    assert set(refused.value.message_dict) == {"title", "outcomes", "images"}
    case.refresh_from_db()
    assert case.status == CaseStatus.DRAFT


def test_another_agencys_officer_cannot_submit(round_, officer, other_officer):
    case = factories.CaseFactory(round=round_, agency=officer.agency_membership.agency)
    with pytest.raises(Refused):
        case_submit(case=case, by=other_officer)


def test_nothing_is_submitted_after_the_deadline(round_, officer):
    case = factories.CaseFactory(round=round_, agency=officer.agency_membership.agency)
    with translation.override("en"), pytest.raises(Refused, match="deadline has passed"):
        case_submit(case=case, by=officer, now=round_.submission_deadline + timedelta(seconds=1))


def test_withdraw_before_the_deadline(round_, officer):
    case = case_submit(
        case=factories.CaseFactory(round=round_, agency=officer.agency_membership.agency), by=officer
    )
    assert case_withdraw(case=case, by=officer).status == CaseStatus.WITHDRAWN


def test_entering_review_puts_submitted_cases_in_review(round_, officer, organiser):
    submitted = case_submit(
        case=factories.CaseFactory(round=round_, agency=officer.agency_membership.agency), by=officer
    )
    draft = factories.CaseFactory(round=round_, agency=officer.agency_membership.agency)
    round_.submission_deadline = timezone.now()
    round_.save()

    round_phase_set(round=round_, to=Phase.REVIEW, by=organiser, override=True, reason="测试准备")

    submitted.refresh_from_db()
    draft.refresh_from_db()
    assert (submitted.status, draft.status) == (CaseStatus.IN_REVIEW, CaseStatus.DRAFT)


def test_a_phase_cannot_be_skipped(round_, organiser):
    with pytest.raises(Refused):
        round_phase_set(round=round_, to=Phase.SELECTION, by=organiser, override=True, reason="测试准备")


def test_an_officer_cannot_return_a_case(round_, officer):
    case = case_submit(
        case=factories.CaseFactory(round=round_, agency=officer.agency_membership.agency), by=officer
    )
    with pytest.raises(Refused):
        case_transition(case=case, to=CaseStatus.RETURNED, by=officer, reason="补充材料")


# The full matrix: every (from, to) pair of statuses, in every phase, asked by every kind of user, before and
# after the deadline. The specification is written out here again, independently of services.TRANSITIONS.

S = CaseStatus
OWN, OTHER, ORGANISER, REVIEWER, SYSTEM = "own agency", "other agency", "organiser", "reviewer", "system"
ACTORS = [OWN, OTHER, ORGANISER, REVIEWER, SYSTEM]
WHO_MAY = {"agency": {OWN}, "organiser": {ORGANISER}, "system": {SYSTEM, ORGANISER}}
ALLOWED = {
    # (from, to): (who, phases, only before the deadline)
    (S.DRAFT, S.SUBMITTED): ("agency", {Phase.SUBMISSION}, True),
    (S.RETURNED, S.SUBMITTED): ("agency", {Phase.SUBMISSION}, True),
    (S.SUBMITTED, S.WITHDRAWN): ("agency", {Phase.SUBMISSION}, True),
    (S.WITHDRAWN, S.DRAFT): ("agency", {Phase.SUBMISSION}, True),
    (S.SUBMITTED, S.RETURNED): ("organiser", {Phase.SUBMISSION}, False),
    (S.SUBMITTED, S.INELIGIBLE): ("organiser", {Phase.SUBMISSION, Phase.TRIAGE, Phase.REVIEW}, False),
    (S.IN_REVIEW, S.INELIGIBLE): ("organiser", {Phase.REVIEW, Phase.SELECTION, Phase.VERIFICATION}, False),
    (S.SUBMITTED, S.IN_REVIEW): ("system", {Phase.REVIEW}, False),
    (S.SUBMITTED, S.SCREENED_OUT): ("system", {Phase.REVIEW}, False),
    (S.IN_REVIEW, S.SELECTED): ("system", {Phase.SELECTION, Phase.VERIFICATION}, False),
    (S.IN_REVIEW, S.NOT_SELECTED): ("system", {Phase.SELECTION, Phase.VERIFICATION}, False),
    (S.SELECTED, S.PUBLISHED): ("system", {Phase.SELECTION, Phase.VERIFICATION}, False),
    (S.PUBLISHED, S.NOT_SELECTED): ("system", {Phase.SELECTION, Phase.VERIFICATION}, False),
    (S.NOT_SELECTED, S.SELECTED): ("system", {Phase.SELECTION, Phase.VERIFICATION}, False),
}
PAIRS = [(a, b) for a in CaseStatus for b in CaseStatus if a != b]


def expected(from_status, to_status, actor, phase, after_deadline) -> bool:
    rule = ALLOWED.get((from_status, to_status))
    if rule is None:
        return False
    who, phases, before_deadline = rule
    return actor in WHO_MAY[who] and phase in phases and not (before_deadline and after_deadline)


@pytest.mark.parametrize("from_status, to_status", PAIRS, ids=[f"{a}->{b}" for a, b in PAIRS])
def test_transition_matrix(round_, officer, other_officer, organiser, reviewer, from_status, to_status):
    case = factories.CaseFactory(round=round_, agency=officer.agency_membership.agency)
    users = {OWN: officer, OTHER: other_officer, ORGANISER: organiser, REVIEWER: reviewer, SYSTEM: None}
    wrong = []
    for phase in Phase:
        Round.objects.filter(pk=round_.pk).update(phase=phase)
        for after_deadline in (False, True):
            now = round_.submission_deadline + (
                timedelta(seconds=1) if after_deadline else -timedelta(hours=1)
            )
            for actor in ACTORS:
                Case.objects.filter(pk=case.pk).update(status=from_status, reference="", submitted_at=None)
                transitions_before = CaseTransition.objects.count()
                try:
                    case_transition(case=case, to=to_status, by=users[actor], reason="理由", now=now)
                    happened = True
                except (Refused, ValidationError):
                    happened = False
                status = Case.objects.values_list("status", flat=True).get(pk=case.pk)
                assert status == (to_status if happened else from_status)
                assert CaseTransition.objects.count() == transitions_before + happened
                if happened != expected(from_status, to_status, actor, phase, after_deadline):
                    wrong.append((phase.value, "after" if after_deadline else "before", actor, happened))
    assert not wrong, f"{from_status}->{to_status}: (phase, deadline, actor, happened) {wrong}"


@pytest.mark.parametrize(
    "from_status, to_status", [pair for pair, rule in ALLOWED.items() if rule[0] == "organiser"]
)
def test_organiser_transitions_need_a_reason(round_, officer, organiser, from_status, to_status):
    phase = sorted(ALLOWED[(from_status, to_status)][1])[0]
    Round.objects.filter(pk=round_.pk).update(phase=phase)
    case = factories.CaseFactory(round=round_, agency=officer.agency_membership.agency)
    Case.objects.filter(pk=case.pk).update(status=from_status)
    with pytest.raises(Refused):
        case_transition(case=case, to=to_status, by=organiser, reason="  ")
    assert Case.objects.get(pk=case.pk).status == from_status


# The same rules through the portal's buttons (crafted POSTs, whatever the page shows).

PORTAL_ACTIONS = {
    "portal:case_submit": S.SUBMITTED,
    "portal:case_withdraw": S.WITHDRAWN,
    "portal:case_reopen": S.DRAFT,
}


@pytest.mark.parametrize("phase", [Phase.SUBMISSION, Phase.REVIEW, Phase.PUBLISHED])
@pytest.mark.parametrize("status", list(CaseStatus))
@pytest.mark.parametrize("url_name", list(PORTAL_ACTIONS))
def test_portal_actions_follow_the_matrix(client, round_, officer, url_name, status, phase):
    case = factories.CaseFactory(round=round_, agency=officer.agency_membership.agency)
    Case.objects.filter(pk=case.pk).update(status=status)
    Round.objects.filter(pk=round_.pk).update(phase=phase)
    client.force_login(officer)

    client.post(reverse(url_name, args=[case.pk]), {"confirmed": "1"})

    to_status = PORTAL_ACTIONS[url_name]
    allowed = expected(status, to_status, OWN, phase, after_deadline=False)
    assert Case.objects.get(pk=case.pk).status == (to_status if allowed else status)


@pytest.mark.parametrize("phase", [Phase.SUBMISSION, Phase.REVIEW])
@pytest.mark.parametrize("status", list(CaseStatus))
def test_only_drafts_and_returned_cases_are_edited_in_the_submission_phase(
    client, round_, officer, status, phase
):
    case = factories.CaseFactory(round=round_, agency=officer.agency_membership.agency, title="原来的标题")
    Case.objects.filter(pk=case.pk).update(status=status)
    Round.objects.filter(pk=round_.pk).update(phase=phase)
    client.force_login(officer)

    client.post(reverse("portal:case_edit", args=[case.pk]), {"title": "改过的标题", "action": "save"})

    editable = status in {S.DRAFT, S.RETURNED} and phase == Phase.SUBMISSION
    assert Case.objects.get(pk=case.pk).title == ("改过的标题" if editable else "原来的标题")
