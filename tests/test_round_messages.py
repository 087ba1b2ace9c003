"""Every message a round needs: the call for cases, draft reminders, assignment notices, reviewer reminders,
the invitation; scheduled reminders at their time, once per person."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from govcases.enums import CaseStatus, MessageState, Phase
from govcases.models import EmailTemplate, OutboxMessage, Profile, ReminderSent
from govcases.reminders import draft_reminders_send
from govcases.services import agency_member_invite, round_phase_set
from reviews.reminders import review_reminders_due_send
from reviews.services import assignment_generate
from tests import factories
from tests.reviews.scenario import build, in_review_case

pytestmark = pytest.mark.django_db


def sent_to(deliver_mail) -> dict[str, list]:
    found: dict[str, list] = {}
    for message in deliver_mail():
        found.setdefault(message.to[0], []).append(message)
    return found


def test_opening_submissions_calls_every_agency_with_contacts(organiser, deliver_mail):
    round = factories.RoundFactory(year=2026, phase=Phase.SETUP)
    with_officer = factories.AgencyMemberFactory()
    Profile.objects.create(user=with_officer.user, language="en")
    silent = factories.AgencyFactory(email="")

    round_phase_set(round=round, to=Phase.SUBMISSION, by=organiser)

    mails = sent_to(deliver_mail)
    assert set(mails) == {with_officer.agency.email, with_officer.user.email}
    assert silent.pk and all(len(each) == 1 for each in mails.values())
    english = mails[with_officer.user.email][0]
    assert english.subject == f"Call for cases: {round.title}"
    assert "/portal/" in english.body and "2026" in english.body
    assert mails[with_officer.agency.email][0].subject.startswith("案例征集")


def test_agencies_holding_drafts_are_reminded_once_near_the_deadline(deliver_mail):
    round = factories.RoundFactory(year=2026, submission_deadline=timezone.now() + timedelta(days=2))
    holding = factories.AgencyMemberFactory()
    factories.CaseFactory(round=round, agency=holding.agency, title="草稿甲")
    done = factories.AgencyMemberFactory()
    factories.CaseFactory(round=round, agency=done.agency, status=CaseStatus.SUBMITTED)

    assert draft_reminders_send(now=timezone.now() - timedelta(days=3)) == 0  # five days before: too early
    assert draft_reminders_send() == 2
    assert draft_reminders_send() == 0  # a second run (cron every 15 minutes) sends nothing again

    mails = sent_to(deliver_mail)
    assert set(mails) == {holding.agency.email, holding.user.email}
    assert "草稿甲" in mails[holding.user.email][0].body
    assert ReminderSent.objects.filter(round=round, kind="draft_reminder").count() == 2


def test_the_database_refuses_a_second_reminder_to_one_person(round_):
    ReminderSent.objects.create(round=round_, kind="draft_reminder", recipient="a@example.cn")
    with pytest.raises(IntegrityError), transaction.atomic():
        ReminderSent.objects.create(round=round_, kind="draft_reminder", recipient="a@example.cn")


def test_reviewers_are_told_of_their_assignments_and_reminded_before_the_deadline(
    round_, organiser, deliver_mail
):
    s = build(round_)
    round_.review_deadline = timezone.now() + timedelta(days=2)
    round_.save()

    assert review_reminders_due_send(now=timezone.now() - timedelta(days=5)) == 0
    assert review_reminders_due_send() == 2
    assert review_reminders_due_send() == 0
    mails = sent_to(deliver_mail)
    assert set(mails) == {s.reviewer_a.email, s.reviewer_b.email}
    assert (
        "2" in mails[s.reviewer_a.email][0].body and s.shared_case.title in mails[s.reviewer_a.email][0].body
    )


def test_assignment_sends_each_reviewer_the_number_of_new_cases(round_, organiser, deliver_mail):
    round_.phase = Phase.REVIEW
    round_.reviews_per_case = 1
    round_.save()
    category = round_.categories.order_by("position").first()
    reviewer = factories.ReviewerFactory()
    reviewer.reviewer_profile.categories.set([category])
    for _ in range(3):
        in_review_case(round_, category)

    assignment_generate(round=round_, by=organiser)

    (notice,) = sent_to(deliver_mail)[reviewer.email]
    assert "3个案例" in notice.subject
    assert "/review/" in notice.body


def test_the_invitation_names_the_person_role_agency_round_and_deadline(organiser, deliver_mail):
    round = factories.RoundFactory(year=2026)
    agency = factories.AgencyFactory(name="杭州市人民政府")
    agency_member_invite(agency=agency, email="hz@example.cn", by=organiser, language="en")

    (invitation,) = sent_to(deliver_mail)["hz@example.cn"]
    assert "hz@example.cn" in invitation.body and "agency officer" in invitation.body
    assert "杭州市人民政府" in invitation.body and round.title in invitation.body
    assert "/accounts/invitation/" in invitation.body


def test_an_organisers_template_replaces_the_default_in_its_language_only(round_, officer, deliver_mail):
    EmailTemplate.objects.create(
        key="case_submitted", language="en", subject="Got it: {{ case.reference }}", body="x"
    )
    Profile.objects.create(user=officer, language="en")
    from govcases.services import case_submit

    case = case_submit(
        case=factories.CaseFactory(round=round_, agency=officer.agency_membership.agency), by=officer
    )
    mails = sent_to(deliver_mail)
    assert mails[officer.email][0].subject == f"Got it: {case.reference}"
    assert mails[case.agency.email][0].subject == f"案例已收到：{case.reference}"


def test_the_cron_command_sends_what_is_due(deliver_mail):
    round = factories.RoundFactory(year=2026, submission_deadline=timezone.now() + timedelta(days=1))
    holding = factories.AgencyMemberFactory()
    factories.CaseFactory(round=round, agency=holding.agency)
    call_command("send_reminders", verbosity=0)
    call_command("send_reminders", verbosity=0)
    assert sorted(message.to[0] for message in deliver_mail()) == sorted(
        [holding.agency.email, holding.user.email]
    )
    assert set(OutboxMessage.objects.values_list("state", flat=True)) == {MessageState.SENT}


def test_a_password_reset_goes_through_the_outbox(client, officer, deliver_mail):
    answer = client.post("/accounts/password_reset/", {"email": officer.email})
    assert answer.status_code == 302
    assert mail.outbox == []
    assert OutboxMessage.objects.get(kind="password_reset").recipient == officer.email
    (reset,) = deliver_mail()
    assert "/accounts/reset/" in reset.body


def test_publishing_queues_the_outcomes_in_the_same_number_of_queries_for_2_cases_as_for_8(organiser):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reviews.services import round_publish, selection_propose
    from tests.reviews.test_selection import scored_case, selection_round

    reviewers = [factories.ReviewerFactory() for _ in range(2)]

    def publish(year: int, cases: int) -> tuple[int, int]:
        round = selection_round([1], year=year)
        for n in range(cases):
            agency = factories.AgencyMemberFactory().agency
            scored_case(round, "disclosure", [90 - n, 80], reviewers, title=f"{year}-{n}", agency=agency)
        selection_propose(round=round, by=organiser)
        with CaptureQueriesContext(connection) as queries:
            round_publish(round=round, by=organiser)
        return len(queries), OutboxMessage.objects.filter(round=round).count()

    few, many = publish(2030, 2), publish(2031, 8)
    assert (few[1], many[1]) == (4, 16)  # each agency's contact and its officer
    assert few[0] == many[0]
