"""A reviewer gives a case back (declines it, or declares a conflict of interest they found): the assignment
goes, the organisers are told by e-mail in their language, the same solver proposes a replacement, and the
reviewer is never given the case again."""

import pytest
from django.utils import translation

from govcases.enums import CaseStatus, Phase
from govcases.exceptions import Refused
from govcases.models import OutboxMessage, Profile
from govcases.outbox import outbox_deliver_due
from reviews.enums import ReviewStatus
from reviews.models import Assignment, Recusal, Review
from reviews.services import (
    ProposalOutdated,
    assignment_add,
    assignment_decline,
    assignment_generate,
    recusal_propose,
    recusal_replace,
    review_save,
    review_submit,
)
from tests import factories
from tests.smtp import SmtpServer


@pytest.fixture
def smtp(settings):
    """A real mail server on a free loopback port, with the app configured to send through it."""
    server = SmtpServer()
    for name, value in server.settings().items():
        setattr(settings, name, value)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def organisers(db):
    """Two organisers: one reads English, the other the default Chinese."""
    english = factories.OrganiserFactory(username="organiser_en")
    Profile.objects.create(user=english, language="en")
    return english, factories.OrganiserFactory(username="organiser_zh")


def test_declining_removes_the_assignment_and_its_draft_and_proposes_the_solvers_choice(
    built, organisers, smtp
):
    review_save(assignment=built.a_shared, by=built.reviewer_a, points={built.criteria[0].pk: 10})

    recusal = assignment_decline(
        assignment=built.a_shared, by=built.reviewer_a, reason="  本周出差，无法评审  "
    )

    assert not Assignment.objects.filter(pk=built.a_shared.pk).exists()
    assert not Review.objects.filter(assignment_id=built.a_shared.pk).exists()
    assert (recusal.kind, recusal.reason, recusal.by, recusal.reviewer) == (
        Recusal.Kind.DECLINED,
        "本周出差，无法评审",
        built.reviewer_a,
        built.reviewer_a,
    )
    # B is on the case already: C is the only reviewer who can take it.
    assert recusal.proposed == built.reviewer_c and recusal.resolved_at is None
    assert not Assignment.objects.filter(reviewer=built.reviewer_c).exists()  # only proposed, not assigned

    outbox_deliver_due()
    received = {each.recipient: each for each in smtp.recorder.received}
    assert set(received) == {"organiser_en@example.cn", "organiser_zh@example.cn"}
    english, chinese = received["organiser_en@example.cn"], received["organiser_zh@example.cn"]
    assert english.subject == f"王甲 gave back a case: {built.shared_case.title}"
    assert "declined the case" in english.body and "本周出差，无法评审" in english.body
    assert "proposes 张丙 in their place" in english.body
    assert "/admin/reviews/reviewprogress/" in english.body
    with translation.override("zh-hans"):
        expected_subject = translation.gettext("{{ reviewer }} gave back a case: {{ case.title }}")
    assert chinese.subject == expected_subject.replace("{{ reviewer }}", "王甲").replace(
        "{{ case.title }}", built.shared_case.title
    )
    assert "张丙" in chinese.body and "本周出差，无法评审" in chinese.body


def test_an_organiser_accepts_the_proposal_and_the_replacement_is_told(built, organisers, deliver_mail):
    recusal = assignment_decline(assignment=built.a_shared, by=built.reviewer_a, reason="时间冲突")
    OutboxMessage.objects.all().delete()

    with pytest.raises(Refused):
        recusal_replace(recusal=recusal, by=built.reviewer_b)
    assignment = recusal_replace(recusal=recusal, by=organisers[0])

    assert (assignment.reviewer, assignment.case) == (built.reviewer_c, built.shared_case)
    recusal.refresh_from_db()
    assert recusal.replacement == built.reviewer_c and recusal.resolved_by == organisers[0]
    assert [message.to for message in deliver_mail()] == [["reviewer_c@example.cn"]]
    with translation.override("en"), pytest.raises(Refused, match="already given its replacement"):
        recusal_replace(recusal=recusal, by=organisers[0])
    assert Assignment.objects.filter(case=built.shared_case).count() == 2


def test_a_proposal_that_no_longer_holds_is_replaced_by_a_new_one(built, organisers):
    reviewer_d = factories.ReviewerFactory(username="reviewer_d")
    recusal = assignment_decline(assignment=built.a_shared, by=built.reviewer_a, reason="时间冲突")
    first, other = (
        (built.reviewer_c, reviewer_d)
        if recusal.proposed == built.reviewer_c
        else (reviewer_d, built.reviewer_c)
    )
    # The proposed reviewer declares a conflict with the case's agency before the organiser accepts.
    first.reviewer_profile.declared_conflicts.add(built.shared_case.agency)

    with translation.override("en"), pytest.raises(ProposalOutdated, match="no longer holds"):
        recusal_replace(recusal=recusal, by=organisers[0])

    recusal.refresh_from_db()
    assert recusal.proposed == other and recusal.resolved_at is None
    recusal_replace(recusal=recusal, by=organisers[0])
    assert set(built.shared_case.assignments.values_list("reviewer", flat=True)) == {
        built.reviewer_b.pk,
        other.pk,
    }


def test_a_round_that_says_so_replaces_at_once(built, organisers, deliver_mail):
    built.round.replace_declined_automatically = True
    built.round.save()

    with translation.override("en"):
        recusal = assignment_decline(assignment=built.a_shared, by=built.reviewer_a, reason="身体原因")

    assert recusal.replacement == built.reviewer_c and recusal.resolved_at is not None
    assert built.shared_case.assignments.filter(reviewer=built.reviewer_c).exists()
    sent = {tuple(message.to): message for message in deliver_mail()}
    assert set(sent) == {
        ("reviewer_c@example.cn",),
        ("organiser_en@example.cn",),
        ("organiser_zh@example.cn",),
    }
    assert "张丙 was assigned in their place" in sent["organiser_en@example.cn",].body


def test_a_case_nobody_else_can_take_is_reported_with_the_reason(built, organisers, deliver_mail):
    built.reviewer_c.reviewer_profile.declared_conflicts.add(built.shared_case.agency)

    recusal = assignment_decline(
        assignment=built.a_shared, by=built.reviewer_a, reason="与该单位有合作项目", conflict=True
    )

    assert recusal.kind == Recusal.Kind.CONFLICT and recusal.proposed is None
    english = next(m for m in deliver_mail() if m.to == ["organiser_en@example.cn"])
    assert "declared a conflict of interest with the case" in english.body
    assert (
        "No replacement can be proposed: Everyone else on the panel has a conflict of interest"
        in english.body
    )
    with pytest.raises(Refused):
        recusal_replace(recusal=recusal, by=organisers[0])
    # Once the panel grows, asking again finds someone.
    newcomer = factories.ReviewerFactory(username="reviewer_e")
    recusal_propose(recusal=recusal, by=organisers[0])
    recusal.refresh_from_db()
    assert recusal.proposed == newcomer and recusal.unfilled_reason == ""


@pytest.mark.parametrize("conflict", [False, True])
def test_the_solver_never_gives_a_case_back_to_who_gave_it_back(built, organisers, conflict):
    # Only A may take the case now that C and every other reviewer are out of the panel's reach.
    built.reviewer_c.reviewer_profile.declared_conflicts.add(built.a_only_case.agency)
    assignment_decline(assignment=built.a_only, by=built.reviewer_a, reason="需要回避", conflict=conflict)
    Assignment.objects.filter(case=built.a_only_case).delete()
    built.reviewer_b.reviewer_profile.declared_conflicts.add(built.a_only_case.agency)

    with translation.override("en"):
        report = assignment_generate(round=built.round, by=organisers[0])
        reasons = {case.pk: reason for case, reason in report.unfilled}
        assert "conflict of interest" in reasons[built.a_only_case.pk]
        with pytest.raises(Refused, match="gave this case back"):
            assignment_add(reviewer=built.reviewer_a, case=built.a_only_case, by=organisers[0])
    assert not built.a_only_case.assignments.filter(reviewer=built.reviewer_a).exists()


# --- denials ---------------------------------------------------------------------------------------------


def _nothing_changed(built):
    assert Assignment.objects.filter(pk=built.a_shared.pk).exists()
    assert not Recusal.objects.exists()
    assert not OutboxMessage.objects.filter(kind="review_declined").exists()


def test_only_the_assigned_reviewer_may_give_a_case_back(built, organisers):
    for someone in (built.reviewer_b, built.reviewer_c, organisers[0], None):
        with pytest.raises(Refused):
            assignment_decline(assignment=built.a_shared, by=someone, reason="越权")
    _nothing_changed(built)


def test_a_reason_is_required(built, organisers):
    with translation.override("en"), pytest.raises(Refused, match="Give a reason"):
        assignment_decline(assignment=built.a_shared, by=built.reviewer_a, reason="   ")
    _nothing_changed(built)


def test_a_submitted_review_cannot_be_given_back(built, organisers):
    review_submit(assignment=built.a_shared, by=built.reviewer_a, points=built.full_points())
    with translation.override("en"), pytest.raises(Refused, match="submitted your review"):
        assignment_decline(assignment=built.a_shared, by=built.reviewer_a, reason="改主意了")
    _nothing_changed(built)
    assert Review.objects.get(assignment=built.a_shared).status == ReviewStatus.SUBMITTED


def test_nothing_is_given_back_once_the_review_is_over(built, organisers):
    built.round.phase = Phase.SELECTION
    built.round.save()
    with pytest.raises(Refused):
        assignment_decline(assignment=built.a_shared, by=built.reviewer_a, reason="太晚了")
    _nothing_changed(built)


def test_a_case_taken_out_of_review_cannot_be_given_back(built, organisers):
    built.shared_case.status = CaseStatus.WITHDRAWN
    built.shared_case.save()
    with translation.override("en"), pytest.raises(Refused, match="no longer in review"):
        assignment_decline(assignment=built.a_shared, by=built.reviewer_a, reason="已撤回")
    _nothing_changed(built)
