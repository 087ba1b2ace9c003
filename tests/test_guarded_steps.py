"""Irreversible steps are refused while work is outstanding, unless overridden with a reason (audited): in the
services and in the management commands alike."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from govcases import steps
from govcases.enums import CaseStatus, Phase
from govcases.exceptions import Refused
from govcases.models import Case, RoundPhaseChange
from govcases.services import case_submit, round_phase_set
from reviews.enums import ReviewStatus
from reviews.services import review_save, review_submit
from tests import factories
from tests.reviews.scenario import build
from tests.reviews.test_selection import selection_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def scenario(round_):
    return build(round_)


@pytest.fixture
def submissions(round_, officer):
    """The open round with one submitted case and one draft, its deadline a week away."""
    agency = officer.agency_membership.agency
    submitted = case_submit(case=factories.CaseFactory(round=round_, agency=agency), by=officer)
    draft = factories.CaseFactory(round=round_, agency=agency, title="还在起草的案例")
    return submitted, draft


def test_entering_review_early_with_drafts_is_refused_and_says_what_is_outstanding(
    round_, organiser, submissions, english
):
    with pytest.raises(Refused) as refused:
        round_phase_set(round=round_, to=Phase.REVIEW, by=organiser)

    message = str(refused.value)
    assert "has not passed" in message
    assert "1 case is still a draft" in message
    assert "override" in message
    round_.refresh_from_db()
    assert round_.phase == Phase.SUBMISSION
    assert not Case.objects.filter(status=CaseStatus.IN_REVIEW).exists()


def test_an_override_needs_a_reason(round_, organiser, submissions, english):
    with pytest.raises(Refused, match="Give a reason"):
        round_phase_set(round=round_, to=Phase.REVIEW, by=organiser, override=True, reason="  ")
    round_.refresh_from_db()
    assert round_.phase == Phase.SUBMISSION


def test_an_override_with_a_reason_goes_on_and_is_audited(round_, organiser, submissions, english):
    submitted, draft = submissions
    round_phase_set(
        round=round_, to=Phase.REVIEW, by=organiser, override=True, reason="截止日期提前，经主任批准"
    )

    audit = RoundPhaseChange.objects.get(round=round_, to_phase=Phase.REVIEW)
    assert (audit.by, audit.reason) == (organiser, "截止日期提前，经主任批准")
    assert any("has not passed" in item for item in audit.overridden)
    assert any("still a draft" in item for item in audit.overridden)
    submitted.refresh_from_db()
    draft.refresh_from_db()
    assert (submitted.status, draft.status) == (CaseStatus.IN_REVIEW, CaseStatus.DRAFT)


def test_nothing_outstanding_needs_no_override(round_, organiser, submissions):
    submitted, draft = submissions
    draft.delete()
    round_.submission_deadline = timezone.now() - timedelta(minutes=1)
    round_.save()

    round_phase_set(round=round_, to=Phase.REVIEW, by=organiser)

    assert RoundPhaseChange.objects.get(round=round_, to_phase=Phase.REVIEW).overridden == []


def test_the_confirmation_says_what_entering_review_does(round_, submissions, english):
    found = steps.messages(steps.effects(round=round_, to=Phase.REVIEW))
    assert found == ["1 submitted case goes into review; agencies can no longer change or withdraw it."]


def test_opening_submission_after_the_deadline_is_outstanding(organiser, english):
    round = factories.RoundFactory(
        year=2025, phase=Phase.SETUP, submission_deadline=timezone.now() - timedelta(days=1)
    )
    with pytest.raises(Refused, match="already passed"):
        round_phase_set(round=round, to=Phase.SUBMISSION, by=organiser)


def test_ending_review_with_missing_draft_and_disagreeing_reviews_is_refused(scenario, organiser, english):
    s = scenario
    review_submit(
        assignment=s.a_shared, by=s.reviewer_a, points=s.full_points(lambda c: c.max_points), comment=""
    )
    review_submit(assignment=s.b_shared, by=s.reviewer_b, points=s.full_points(lambda c: 0), comment="")
    review_save(assignment=s.a_only, by=s.reviewer_a, points=s.full_points(), comment="未完")
    s.round.reviews_per_case = 2
    s.round.save()

    with pytest.raises(Refused) as refused:
        round_phase_set(round=s.round, to=Phase.SELECTION, by=organiser)

    message = str(refused.value)
    assert "1 case has fewer than 2 submitted reviews" in message
    assert "1 review is still a draft" in message
    assert "1 case is flagged" in message
    s.round.refresh_from_db()
    assert s.round.phase == Phase.REVIEW

    round_phase_set(round=s.round, to=Phase.SELECTION, by=organiser, override=True, reason="专家会议已讨论")
    audit = RoundPhaseChange.objects.get(round=s.round, to_phase=Phase.SELECTION)
    assert len(audit.overridden) == 3


def test_ending_review_with_every_review_in_goes_on(scenario, organiser):
    s = scenario
    for assignment, reviewer in (
        (s.a_shared, s.reviewer_a),
        (s.b_shared, s.reviewer_b),
        (s.a_only, s.reviewer_a),
    ):
        review_submit(assignment=assignment, by=reviewer, points=s.full_points(), comment="")
    s.round.reviews_per_case = 1
    s.round.save()
    round_phase_set(round=s.round, to=Phase.SELECTION, by=organiser)
    s.round.refresh_from_db()
    assert s.round.phase == Phase.SELECTION
    s.a_only.review.refresh_from_db()
    assert s.a_only.review.status == ReviewStatus.SUBMITTED


def test_the_publish_command_refuses_with_the_same_checks_and_takes_an_override(organiser, english):
    round = selection_round([1])
    with pytest.raises(CommandError, match="0 of 1 seats are filled"):
        call_command("publish", str(round.year))
    with pytest.raises(CommandError, match="Give a reason"):
        call_command("publish", str(round.year), "--override")

    call_command(
        "publish", str(round.year), "--override", "--reason", "无合格案例", "--by", organiser.username
    )

    audit = RoundPhaseChange.objects.get(round=round, to_phase=Phase.PUBLISHED)
    assert audit.reason == "无合格案例" and audit.overridden
