"""Publication: quotas met exactly (or fewer with a reason), outcomes, the frozen snapshot, versions, e-mails."""

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import translation

from govcases.enums import CaseStatus, Phase
from govcases.exceptions import Refused
from govcases.models import Publication, PublishedCase
from govcases.services import round_phase_set
from reviews.services import round_publish, selection_decide, selection_propose
from tests import factories
from tests.reviews.test_selection import scored_case, selection_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewers(db):
    return [factories.ReviewerFactory() for _ in range(3)]


@pytest.fixture
def staged(organiser, reviewers):
    """2024 in selection with quotas 2 and 1, five ranked cases, the top three staged."""
    round = selection_round([2, 1])
    cases = {
        "甲": scored_case(round, "disclosure", [90, 88], reviewers, title="甲"),
        "乙": scored_case(round, "disclosure", [80, 82], reviewers, title="乙"),
        "丙": scored_case(round, "disclosure", [70, 71], reviewers, title="丙"),
        "丁": scored_case(round, "service", [95, 93], reviewers, title="丁"),
        "戊": scored_case(round, "service", [60, 65], reviewers, title="戊"),
    }
    selection_propose(round=round, by=organiser)
    return round, cases


def statuses(round) -> dict[str, str]:
    return dict(round.cases.values_list("title", "status"))


def test_publishing_applies_outcomes_freezes_a_snapshot_and_tells_the_agencies(
    staged, organiser, django_capture_on_commit_callbacks
):
    round, cases = staged
    with django_capture_on_commit_callbacks(execute=True):
        publication = round_publish(round=round, by=organiser)

    round.refresh_from_db()
    assert round.phase == Phase.PUBLISHED
    assert statuses(round) == {
        "甲": CaseStatus.PUBLISHED,
        "乙": CaseStatus.PUBLISHED,
        "丙": CaseStatus.NOT_SELECTED,
        "丁": CaseStatus.PUBLISHED,
        "戊": CaseStatus.NOT_SELECTED,
    }
    assert (publication.version, publication.published_by, publication.submitted) == (1, organiser, 5)
    assert set(publication.cases.values_list("title", flat=True)) == {"甲", "乙", "丁"}
    assert publication.counts["categories"]["disclosure"] == {"submitted": 3, "selected": 2, "seats": 2}
    assert publication.counts["categories"]["service"] == {"submitted": 2, "selected": 1, "seats": 1}
    assert publication.counts["levels"]["district"] == {"submitted": 5, "selected": 3}
    # One outcome e-mail per case, to its agency.
    by_recipient = {message.to[0]: message.subject for message in mail.outbox}
    assert len(mail.outbox) == 5
    assert "甲" in by_recipient[cases["甲"].agency.email]
    assert "丙" in by_recipient[cases["丙"].agency.email]


def test_publishing_is_refused_while_a_quota_is_not_met(
    staged, organiser, django_capture_on_commit_callbacks
):
    round, cases = staged
    selection_decide(case=cases["乙"], selected=False, by=organiser)

    with translation.override("en"), pytest.raises(Refused, match="1 of 2 seats are filled"):
        round_publish(round=round, by=organiser)
    with pytest.raises(Refused):
        round_publish(round=round, by=organiser, override=True)  # fewer needs a reason too
    with pytest.raises(Refused):
        round_publish(round=round, by=organiser, reason="材料不足")  # a reason alone is not the confirmation

    round.refresh_from_db()
    assert round.phase == Phase.SELECTION
    assert not Publication.objects.exists()
    assert set(statuses(round).values()) == {CaseStatus.IN_REVIEW}

    with django_capture_on_commit_callbacks(execute=True):
        publication = round_publish(
            round=round, by=organiser, override=True, reason="第二名撤回，空缺一个名额"
        )
    assert publication.reason == "第二名撤回，空缺一个名额"
    assert set(publication.cases.values_list("title", flat=True)) == {"甲", "丁"}
    audit = round.phase_changes.get(to_phase=Phase.PUBLISHED)
    assert (audit.by, audit.reason) == (organiser, "第二名撤回，空缺一个名额")
    assert len(audit.overridden) == 1 and "1" in audit.overridden[0] and "2" in audit.overridden[0]


def test_only_organisers_publish(staged, reviewers, officer):
    round, _cases = staged
    for user in (reviewers[0], officer):
        with pytest.raises(Refused):
            round_publish(round=round, by=user)
    assert not Publication.objects.exists()


def test_a_round_outside_the_selection_phase_is_not_published(organiser):
    round = factories.RoundFactory(year=2024, phase=Phase.REVIEW, quotas=[0])
    with pytest.raises(Refused):
        round_publish(round=round, by=organiser)


def test_the_snapshot_does_not_change_when_a_case_is_edited_later(staged, organiser):
    round, cases = staged
    publication = round_publish(round=round, by=organiser)
    case = cases["甲"]
    original = (case.title, case.summary, case.agency.display_name)
    case.title = "改过的标题"
    case.summary = "改过的摘要"
    case.save()
    case.agency.display_name = "改名的单位"
    case.agency.save()

    published = PublishedCase.objects.get(publication=publication, case=case)
    assert (published.title, published.summary, published.agency_name) == original


def test_a_correction_publishes_version_2_and_keeps_version_1(
    staged, organiser, django_capture_on_commit_callbacks
):
    round, cases = staged
    with django_capture_on_commit_callbacks(execute=True):
        first = round_publish(round=round, by=organiser)
    mail.outbox.clear()

    round_phase_set(round=round, to=Phase.SELECTION, by=organiser, reason="更正：乙材料不实")
    selection_decide(case=cases["乙"], selected=False, by=organiser)
    selection_decide(case=cases["丙"], selected=True, by=organiser, reason="乙材料不实，由丙递补")
    with django_capture_on_commit_callbacks(execute=True):
        second = round_publish(round=round, by=organiser, reason="更正")

    assert (first.version, second.version) == (1, 2)
    assert set(first.cases.values_list("title", flat=True)) == {"甲", "乙", "丁"}
    assert set(second.cases.values_list("title", flat=True)) == {"甲", "丙", "丁"}
    assert statuses(round)["乙"] == CaseStatus.NOT_SELECTED
    assert statuses(round)["丙"] == CaseStatus.PUBLISHED
    assert mail.outbox == []  # agencies hear the outcome once, with the first version


def test_the_publish_command(staged, organiser):
    round, cases = staged
    selection_decide(case=cases["丁"], selected=False, by=organiser)
    with translation.override("en"), pytest.raises(CommandError, match="0 of 1 seats are filled"):
        call_command("publish", "2024")
    with pytest.raises(CommandError):
        call_command("publish", "1999")

    call_command("publish", "2024", "--allow-fewer", "--reason", "在线服务类空缺", "--by", organiser.username)

    publication = Publication.objects.get(round=round)
    assert (publication.version, publication.published_by, publication.reason) == (
        1,
        organiser,
        "在线服务类空缺",
    )
