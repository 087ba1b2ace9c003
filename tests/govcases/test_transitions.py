from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from govcases.enums import CaseStatus, Phase
from govcases.models import CaseTransition
from govcases.services import Refused, case_submit, case_transition, case_withdraw, round_phase_set
from tests import factories

pytestmark = pytest.mark.django_db


def test_an_officer_submits_a_complete_draft_and_gets_a_reference_and_an_email(
    round_, officer, django_capture_on_commit_callbacks
):
    case = factories.CaseFactory(round=round_, agency=officer.agency_membership.agency)

    with django_capture_on_commit_callbacks(execute=True):
        case = case_submit(case=case, by=officer)

    assert case.status == CaseStatus.SUBMITTED
    assert case.reference == "2024-0001"
    audit = CaseTransition.objects.get(case=case)
    assert (audit.from_status, audit.to_status, audit.by) == (CaseStatus.DRAFT, CaseStatus.SUBMITTED, officer)
    assert len(mail.outbox) == 1
    assert "2024-0001" in mail.outbox[0].subject
    assert officer.email in mail.outbox[0].to


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
    with pytest.raises(Refused, match="截止"):
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

    round_phase_set(round=round_, to=Phase.REVIEW, by=organiser)

    submitted.refresh_from_db()
    draft.refresh_from_db()
    assert (submitted.status, draft.status) == (CaseStatus.IN_REVIEW, CaseStatus.DRAFT)


def test_a_phase_cannot_be_skipped(round_, organiser):
    with pytest.raises(Refused):
        round_phase_set(round=round_, to=Phase.SELECTION, by=organiser)


def test_an_officer_cannot_return_a_case(round_, officer):
    case = case_submit(
        case=factories.CaseFactory(round=round_, agency=officer.agency_membership.agency), by=officer
    )
    with pytest.raises(Refused):
        case_transition(case=case, to=CaseStatus.RETURNED, by=officer, reason="补充材料")
