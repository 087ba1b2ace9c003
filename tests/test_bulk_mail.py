"""Bulk mail: an organiser chooses a group, sees the text for one recipient and the count, confirms, and the
messages go through the outbox."""

import pytest
from django.urls import reverse

from govcases.bulk import bulk_addressees, bulk_mail_send
from govcases.enums import CaseStatus, Level
from govcases.models import OutboxMessage
from govcases.services import Refused
from tests import factories
from tests.reviews.scenario import build

pytestmark = pytest.mark.django_db
COMPOSE = reverse("admin:govcases_outboxmessage_compose")
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def addresses(**chosen) -> list[str]:
    return sorted(each.recipient.address for each in bulk_addressees(**chosen))


def test_each_group_reaches_the_right_people(round_):
    holding = factories.AgencyMemberFactory(agency=factories.AgencyFactory(level=Level.DISTRICT))
    factories.CaseFactory(round=round_, agency=holding.agency, category=round_.categories.get(code="service"))
    done = factories.AgencyFactory(level=Level.PROVINCE)
    disclosure = round_.categories.get(code="disclosure")
    factories.CaseFactory(round=round_, agency=done, status=CaseStatus.SUBMITTED, category=disclosure)

    assert addresses(group="agencies_with_drafts", round=round_) == sorted(
        [holding.agency.email, holding.user.email]
    )
    assert addresses(group="agencies_of_category", round=round_, category=disclosure) == [done.email]
    assert done.email in addresses(group="agencies_of_level", round=round_, level=Level.PROVINCE)
    assert holding.agency.email not in addresses(
        group="agencies_of_level", round=round_, level=Level.PROVINCE
    )


def test_reviewer_groups(round_):
    s = build(round_)
    idle = factories.ReviewerFactory()
    assert addresses(group="reviewers_pending", round=round_) == sorted(
        [s.reviewer_a.email, s.reviewer_b.email]
    )
    assert idle.email in addresses(group="reviewers_all", round=round_)
    assert idle.email not in addresses(group="reviewers_pending", round=round_)


def test_the_organiser_previews_then_sends_through_the_outbox(client, organiser, round_, deliver_mail):
    s = build(round_)
    client.force_login(organiser)
    data = {
        "round": round_.pk,
        "group": "reviewers_pending",
        "subject": "{{ round.title }}：评审即将截止",
        "body": "{{ name }}您好，请尽快完成评审：{{ url }}",
    }

    preview = client.post(COMPOSE, data, **EN)
    page = preview.content.decode()
    assert preview.status_code == 200 and 'id="bulk-preview"' in page
    assert "Preview: 2 recipients" in page and "王甲您好" in page and "/review/" in page
    assert not OutboxMessage.objects.exists()

    # Sending a text other than the one previewed shows the new preview instead.
    changed = client.post(
        COMPOSE, {**data, "body": "改过的正文", "previewed": preview.context["digest"]}, **EN
    )
    assert 'id="bulk-preview"' in changed.content.decode() and not OutboxMessage.objects.exists()

    sent = client.post(COMPOSE, {**data, "previewed": preview.context["digest"]})
    assert sent.status_code == 302
    mails = {message.to[0]: message for message in deliver_mail()}
    assert set(mails) == {s.reviewer_a.email, s.reviewer_b.email}
    assert mails[s.reviewer_b.email].body.startswith("李乙您好")
    assert set(OutboxMessage.objects.values_list("kind", flat=True)) == {"bulk"}


def test_bad_input_is_answered_with_a_message_and_keeps_the_text(client, organiser, round_):
    client.force_login(organiser)
    data = {"round": round_.pk, "group": "agencies_of_category", "subject": "通知", "body": "{% if %}"}
    answer = client.post(COMPOSE, data, **EN)
    assert answer.status_code == 200
    assert "Choose the category" in answer.content.decode() and "{% if %}" in answer.content.decode()

    factories.ReviewerFactory()
    broken = client.post(COMPOSE, {**data, "group": "reviewers_all"}, **EN)
    assert "The text has a template error" in broken.content.decode()
    nobody = client.post(COMPOSE, {**data, "group": "agencies_with_drafts", "body": "正文"}, **EN)
    assert "Nobody in this group has an e-mail address" in nobody.content.decode()
    assert not OutboxMessage.objects.exists()


def test_only_organisers_send_bulk_mail(client, officer, reviewer, round_):
    with pytest.raises(Refused):
        bulk_mail_send(by=officer, group="reviewers_all", round=round_, subject="s", body="b")
    for user in [officer, reviewer]:
        client.force_login(user)
        answer = client.post(
            COMPOSE, {"round": round_.pk, "group": "reviewers_all", "subject": "s", "body": "b"}
        )
        assert answer.status_code == 302 and "/admin/login/" in answer["Location"]
    assert not OutboxMessage.objects.exists()
