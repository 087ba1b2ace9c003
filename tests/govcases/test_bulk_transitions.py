"""The bulk status transition: the rules of case_transition for many cases at once, in a few queries."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from govcases.enums import CaseStatus, Phase
from govcases.exceptions import Refused
from govcases.models import Case, CaseTransition, Round
from govcases.services import case_bulk_transition, case_submit, case_transition, round_phase_set
from tests import factories

pytestmark = pytest.mark.django_db


def drafts(round_, officer, count: int, **kwargs) -> list[Case]:
    agency = officer.agency_membership.agency
    return [factories.CaseFactory(round=round_, agency=agency, **kwargs) for _ in range(count)]


def test_an_officer_submits_many_drafts_at_once_with_references_and_an_audit_row_each(round_, officer):
    cases = drafts(round_, officer, 3)

    moved = case_bulk_transition(
        cases=Case.objects.filter(pk__in=[case.pk for case in cases]), to=CaseStatus.SUBMITTED, by=officer
    )

    assert [case.status for case in moved] == [CaseStatus.SUBMITTED] * 3
    stored = Case.objects.filter(round=round_).order_by("pk")
    assert [case.reference for case in stored] == ["2024-0001", "2024-0002", "2024-0003"]
    assert all(case.submitted_at for case in stored)
    assert (
        CaseTransition.objects.filter(
            case__in=cases, from_status=CaseStatus.DRAFT, to_status=CaseStatus.SUBMITTED, by=officer
        ).count()
        == 3
    )


def test_references_continue_after_those_given_one_by_one(round_, officer):
    first = case_submit(case=drafts(round_, officer, 1)[0], by=officer)
    later = drafts(round_, officer, 2)
    case_bulk_transition(
        cases=Case.objects.filter(pk__in=[c.pk for c in later]), to=CaseStatus.SUBMITTED, by=officer
    )
    references = set(Case.objects.exclude(pk=first.pk).values_list("reference", flat=True))
    assert first.reference == "2024-0001" and references == {"2024-0002", "2024-0003"}


def test_one_incomplete_case_refuses_the_whole_batch_and_names_it(round_, officer):
    complete = drafts(round_, officer, 2)
    incomplete = factories.CaseFactory(
        round=round_, agency=officer.agency_membership.agency, title="", images=0
    )

    with translation.override("en"), pytest.raises(Refused) as refused:
        case_bulk_transition(cases=Case.objects.filter(round=round_), to=CaseStatus.SUBMITTED, by=officer)

    assert "Enter a title." in str(refused.value)
    assert str(incomplete.pk) in str(refused.value)
    assert set(Case.objects.values_list("status", flat=True)) == {CaseStatus.DRAFT}
    assert not CaseTransition.objects.filter(case__in=[*complete, incomplete]).exists()


@pytest.mark.parametrize(
    ("who", "message"),
    [("other_officer", "own agency"), ("organiser", "own agency")],
)
def test_only_the_cases_own_agency_submits_in_bulk(round_, officer, other_officer, organiser, who, message):
    cases = drafts(round_, officer, 2)
    actor = {"other_officer": other_officer, "organiser": organiser}[who]
    with translation.override("en"), pytest.raises(Refused, match=message):
        case_bulk_transition(
            cases=Case.objects.filter(pk__in=[c.pk for c in cases]), to=CaseStatus.SUBMITTED, by=actor
        )
    assert set(Case.objects.values_list("status", flat=True)) == {CaseStatus.DRAFT}


def test_a_transition_the_table_does_not_have_is_refused_in_bulk(round_, officer, organiser):
    cases = drafts(round_, officer, 2)
    with translation.override("en"), pytest.raises(Refused, match="cannot become"):
        case_bulk_transition(
            cases=Case.objects.filter(pk__in=[c.pk for c in cases]), to=CaseStatus.PUBLISHED, by=organiser
        )


def test_the_deadline_holds_in_bulk(round_, officer):
    cases = drafts(round_, officer, 2)
    with translation.override("en"), pytest.raises(Refused, match="deadline has passed"):
        case_bulk_transition(
            cases=Case.objects.filter(pk__in=[c.pk for c in cases]),
            to=CaseStatus.SUBMITTED,
            by=officer,
            now=round_.submission_deadline,
        )


def test_an_empty_batch_changes_nothing(round_, organiser):
    assert case_bulk_transition(cases=Case.objects.none(), to=CaseStatus.IN_REVIEW, by=organiser) == []


@pytest.mark.parametrize("count", [3, 30])
def test_entering_review_takes_the_same_queries_for_few_and_many_cases(
    round_, officer, organiser, django_assert_num_queries, count
):
    cases = drafts(round_, officer, count)
    for case in cases:
        case_submit(case=case, by=officer)
    round_.submission_deadline = timezone.now()
    round_.save()
    organiser = type(organiser).objects.get(pk=organiser.pk)  # roles not yet read, as in a request

    # The round locked, the organiser's roles, the drafts counted (govcases.steps), the phase audited (and the
    # revision bumped), the phase saved;
    # the cases locked, their audit rows in one insert (and the revision bumped), their statuses in one
    # update; two savepoints opened and released.
    with django_assert_num_queries(14):
        round_phase_set(round=round_, to=Phase.REVIEW, by=organiser)  # the deadline passed, no drafts

    assert set(Case.objects.values_list("status", flat=True)) == {CaseStatus.IN_REVIEW}
    assert CaseTransition.objects.filter(to_status=CaseStatus.IN_REVIEW).count() == count


def test_writing_any_audit_entry_bumps_the_rounds_revision(round_, officer):
    """The boards' caches are keyed by the revision: an audited change cannot leave them stale."""
    case = drafts(round_, officer, 1)[0]
    before = Round.objects.get(pk=round_.pk).revision
    CaseTransition.objects.create(case=case, from_status=CaseStatus.DRAFT, to_status=CaseStatus.DRAFT)
    CaseTransition.objects.bulk_create(
        [CaseTransition(case=case, from_status=CaseStatus.DRAFT, to_status=CaseStatus.DRAFT)]
    )
    assert Round.objects.get(pk=round_.pk).revision == before + 2


def test_a_single_transition_and_a_bulk_one_leave_the_same_trail(round_, officer):
    one, many = drafts(round_, officer, 1)[0], drafts(round_, officer, 1)[0]
    case_transition(case=one, to=CaseStatus.SUBMITTED, by=officer)
    case_bulk_transition(cases=Case.objects.filter(pk=many.pk), to=CaseStatus.SUBMITTED, by=officer)
    trail = list(
        CaseTransition.objects.order_by("case_id").values_list("from_status", "to_status", "by", "reason")
    )
    assert trail[0] == trail[1]


def test_a_case_missing_images_is_refused_in_bulk_as_one_by_one(round_, officer):
    case = drafts(round_, officer, 1, images=0)[0]
    with pytest.raises(ValidationError):
        case_submit(case=case, by=officer)
    with pytest.raises(Refused):
        case_bulk_transition(cases=Case.objects.filter(pk=case.pk), to=CaseStatus.SUBMITTED, by=officer)
