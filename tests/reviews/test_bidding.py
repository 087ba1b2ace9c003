"""Bidding before assignment: organisers open and close it (audited); reviewers mark the cases they may be
assigned on one list; the solver weighs their choices and never assigns a case marked as a conflict."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from govcases.enums import CaseStatus, Level, Phase, Province
from govcases.exceptions import Refused
from reviews import assignment_flow
from reviews.enums import BidChoice
from reviews.models import Assignment, Bid, BiddingChange, Recusal
from reviews.services import assignment_generate, bids_save, round_bidding_set
from tests import factories
from tests.e2e.browser import in_chinese

BIDS = reverse("review:reviews_bids_changelist")
NOT_OPEN_TO_BIDS = (
    "Some of these cases are not open to your bids: outside your panels, already assigned to you, given back, "
    "or of an agency you have a conflict of interest with."
)


@pytest.fixture
def bidding(round_, organiser):
    """The open round with bidding open, two categories' cases and a reviewer of the first category only,
    working for a city of Sichuan (so every Sichuan agency is a conflict)."""
    round_.reviews_per_case = 1
    round_.save()
    disclosure, service = list(round_.categories.order_by("position"))[:2]
    city = factories.AgencyFactory(
        name="成都市人民政府", level=Level.PROVINCIAL_CAPITAL, province=Province.SICHUAN
    )
    reviewer = factories.ReviewerFactory(username="bidder", profile__categories=[disclosure])
    reviewer.reviewer_profile.affiliation_agency = city
    reviewer.reviewer_profile.save()
    zhejiang = factories.AgencyFactory(
        name="杭州市人民政府", level=Level.PROVINCIAL_CAPITAL, province=Province.ZHEJIANG
    )
    sichuan = factories.AgencyFactory(
        name="绵阳市人民政府", level=Level.PREFECTURE, province=Province.SICHUAN, parent=None
    )
    open_cases = [
        factories.CaseFactory(
            round=round_,
            category=disclosure,
            agency=zhejiang,
            status=CaseStatus.SUBMITTED,
            title=f"浙江公开{n}",
        )
        for n in range(3)
    ]
    conflicted = factories.CaseFactory(
        round=round_, category=disclosure, agency=sichuan, status=CaseStatus.SUBMITTED, title="绵阳公开"
    )
    other_panel = factories.CaseFactory(
        round=round_, category=service, agency=zhejiang, status=CaseStatus.SUBMITTED, title="浙江服务"
    )
    round_bidding_set(round=round_, opened=True, by=organiser)
    return round_, reviewer, open_cases, conflicted, other_panel


def test_organisers_open_and_close_bidding_and_each_change_is_audited(round_, organiser, reviewer):
    with pytest.raises(Refused):
        round_bidding_set(round=round_, opened=True, by=reviewer)
    round_bidding_set(round=round_, opened=True, by=organiser)
    with translation.override("en"), pytest.raises(Refused, match="already open"):
        round_bidding_set(round=round_, opened=True, by=organiser)
    round_bidding_set(round=round_, opened=False, by=organiser)
    assert list(BiddingChange.objects.values_list("opened", "by")) == [
        (True, organiser.pk),
        (False, organiser.pk),
    ]
    round_.phase = Phase.SELECTION
    round_.save()
    with translation.override("en"), pytest.raises(Refused, match="assignments are final"):
        round_bidding_set(round=round_, opened=True, by=organiser)
    round_.refresh_from_db()
    assert not round_.bidding_open


def test_the_list_shows_the_reviewers_panels_without_their_conflicts(client, bidding):
    round_, reviewer, open_cases, conflicted, other_panel = bidding
    client.force_login(reviewer)
    page = client.get(BIDS).content.decode()
    for case in open_cases:
        assert case.title in page and f'name="bid_{case.pk}"' in page
    assert conflicted.title not in page and other_panel.title not in page


def test_choices_are_saved_from_the_list_and_steer_the_assignment(client, bidding, organiser):
    round_, reviewer, open_cases, _conflicted, _other = bidding
    other = factories.ReviewerFactory(username="other")
    client.force_login(reviewer)
    keen, rather_not, conflict = open_cases
    response = client.post(
        BIDS,
        {
            f"bid_{keen.pk}": BidChoice.KEEN,
            f"bid_{rather_not.pk}": BidChoice.RATHER_NOT,
            f"bid_{conflict.pk}": BidChoice.CONFLICT,
        },
    )
    assert response.status_code == 302
    assert dict(Bid.objects.filter(reviewer=reviewer).values_list("case_id", "choice")) == {
        keen.pk: "keen",
        rather_not.pk: "rather_not",
        conflict.pk: "conflict",
    }
    page = client.get(BIDS).content.decode()
    assert f'id="bid-{keen.pk}-keen" aria-label' in page and f'value="keen" id="bid-{keen.pk}-keen"' in page
    assert "checked" in page.split(f'id="bid-{keen.pk}-keen"')[1].split(">")[0]

    round_bidding_set(round=round_, opened=False, by=organiser)
    round_.phase = Phase.REVIEW
    round_.save()
    round_.cases.update(status=CaseStatus.IN_REVIEW)
    assignment_generate(round=round_, by=organiser)
    mine = set(Assignment.objects.filter(reviewer=reviewer).values_list("case_id", flat=True))
    # Three cases of the panel between two reviewers: the keen one is the reviewer's, the conflict never.
    assert keen.pk in mine and conflict.pk not in mine
    assert Assignment.objects.get(case=conflict).reviewer == other


def test_taking_a_bid_back_and_a_refused_list_keeps_what_the_reviewer_chose(client, bidding):
    round_, reviewer, open_cases, conflicted, _other = bidding
    client.force_login(reviewer)
    first, second, _third = open_cases
    bids_save(reviewer=reviewer, round=round_, choices={first.pk: BidChoice.KEEN})
    # A crafted row for a conflicted case refuses the whole form, and the page shows the reviewer's choices.
    response = client.post(
        BIDS, {f"bid_{first.pk}": "", f"bid_{second.pk}": "willing", f"bid_{conflicted.pk}": "keen"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert in_chinese(NOT_OPEN_TO_BIDS) in page
    assert "checked" in page.split(f'id="bid-{second.pk}-willing"')[1].split(">")[0]
    assert dict(Bid.objects.filter(reviewer=reviewer).values_list("case_id", "choice")) == {first.pk: "keen"}
    # "No preference" takes the bid back.
    assert client.post(BIDS, {f"bid_{first.pk}": ""}).status_code == 302
    assert not Bid.objects.filter(reviewer=reviewer).exists()


def test_bids_are_refused_when_bidding_is_closed_and_for_cases_not_open_to_the_reviewer(bidding, organiser):
    round_, reviewer, open_cases, conflicted, other_panel = bidding
    for case in (conflicted, other_panel):
        with pytest.raises(Refused):
            bids_save(reviewer=reviewer, round=round_, choices={case.pk: BidChoice.KEEN})
    with pytest.raises(Refused):
        bids_save(reviewer=organiser, round=round_, choices={open_cases[0].pk: BidChoice.KEEN})
    with pytest.raises(Refused):
        bids_save(reviewer=reviewer, round=round_, choices={open_cases[0].pk: "eager"})
    Recusal.objects.create(
        case=open_cases[1], reviewer=reviewer, kind=Recusal.Kind.DECLINED, reason="x", by=reviewer
    )
    with pytest.raises(Refused):
        bids_save(reviewer=reviewer, round=round_, choices={open_cases[1].pk: BidChoice.KEEN})
    round_bidding_set(round=round_, opened=False, by=organiser)
    with translation.override("en"), pytest.raises(Refused, match="closed"):
        bids_save(reviewer=reviewer, round=round_, choices={open_cases[0].pk: BidChoice.KEEN})
    assert not Bid.objects.exists()


def test_a_closed_bidding_shows_a_plain_page(client, round_, reviewer):
    client.force_login(reviewer)
    response = client.get(BIDS)
    assert response.status_code == 200 and 'id="bidding-closed"' in response.content.decode()
    assert client.post(BIDS, {"bid_1": "keen"}).status_code == 200
    assert not Bid.objects.exists()


def test_the_list_takes_the_same_number_of_queries_for_3_cases_as_for_60(client, bidding):
    round_, reviewer, open_cases, _conflicted, _other = bidding
    client.force_login(reviewer)
    bids_save(reviewer=reviewer, round=round_, choices={open_cases[0].pk: BidChoice.KEEN})

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(BIDS).status_code == 200
        return len(captured)

    few = queries()
    category = open_cases[0].category
    for n in range(57):
        case = factories.CaseFactory(
            round=round_, category=category, status=CaseStatus.SUBMITTED, title=f"更多{n}"
        )
        if n % 2:
            bids_save(reviewer=reviewer, round=round_, choices={case.pk: BidChoice.WILLING})
    assert queries() == few


def test_conflict_bids_are_hard_exclusions_of_the_solver():
    """Even when a reviewer who bid "conflict" is the only one with room, the solver leaves the case short."""
    case = assignment_flow.CaseNeed(id=1, panel="p", agency=10, need=1, declined=frozenset({7}))
    only = assignment_flow.ReviewerLoad(
        id=7, panels=frozenset({"p"}), conflicts=frozenset(), load=0, max_load=5
    )
    solution = assignment_flow.solve([case], [only], {(1, 7): assignment_flow.PREFERENCE_COSTS["keen"]})
    assert solution.pairs == [] and solution.short == {1: 1}
