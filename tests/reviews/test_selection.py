"""Staged selection under quotas: the proposal by rank, ties at the cut line, deviations, the audit."""

import pytest

from govcases.enums import CaseStatus, Phase
from govcases.exceptions import Refused
from govcases.models import Category
from reviews.enums import ReviewStatus
from reviews.models import SelectionDecision, SelectionEvent
from reviews.selectors import quota_states
from reviews.services import selection_decide, selection_propose
from tests import factories

pytestmark = pytest.mark.django_db


def selection_round(seats: list[int], year: int = 2024):
    """A round in the selection phase whose categories (2024 order) have the given quotas."""
    return factories.RoundFactory(year=year, phase=Phase.SELECTION, quotas=seats)


def scored_case(round, category_code: str, totals: list[int], reviewers: list, **fields):
    """A case in review with one submitted review per total, each by another reviewer."""
    case = factories.CaseFactory(
        round=round,
        category=Category.objects.get(code=category_code),
        status=CaseStatus.IN_REVIEW,
        images=fields.pop("images", 0),
        **fields,
    )
    for reviewer, total in zip(reviewers, totals, strict=False):
        factories.ReviewFactory(
            assignment=factories.AssignmentFactory(reviewer=reviewer, case=case),
            status=ReviewStatus.SUBMITTED,
            total=total,
        )
    return case


@pytest.fixture
def reviewers(db):
    return [factories.ReviewerFactory() for _ in range(3)]


def selected_titles(round) -> set[str]:
    return set(
        SelectionDecision.objects.filter(case__round=round, selected=True).values_list(
            "case__title", flat=True
        )
    )


def test_propose_stages_the_top_cases_of_each_category_by_rank(organiser, reviewers):
    round = selection_round([2, 1])
    for title, score in [("甲", 90), ("乙", 80), ("丙", 70)]:
        scored_case(round, "disclosure", [score], reviewers, title=title)
    for title, score in [("丁", 60), ("戊", 95)]:
        scored_case(round, "service", [score], reviewers, title=title)

    proposal = selection_propose(round=round, by=organiser)

    assert selected_titles(round) == {"甲", "乙", "戊"}
    assert proposal.ties == []
    assert [(state.category.code, state.selected, state.seats) for state in quota_states(round=round)] == [
        ("disclosure", 2, 2),
        ("service", 1, 1),
    ]
    assert SelectionEvent.objects.filter(case__round=round, selected=True, by=organiser).count() == 3
    # Staged only: nothing changes for agencies or the public until publication.
    assert set(round.cases.values_list("status", flat=True)) == {CaseStatus.IN_REVIEW}


def test_propose_stops_before_a_tie_that_straddles_the_cut_line(organiser, reviewers):
    round = selection_round([3])
    first = scored_case(round, "disclosure", [90], reviewers, title="第一")
    second = scored_case(round, "disclosure", [85], reviewers, title="第二")
    tied_a = scored_case(round, "disclosure", [80], reviewers, title="并列甲")
    tied_b = scored_case(round, "disclosure", [80], reviewers, title="并列乙")
    scored_case(round, "disclosure", [70], reviewers, title="第五")

    proposal = selection_propose(round=round, by=organiser)

    assert selected_titles(round) == {first.title, second.title}
    [tie] = proposal.ties
    assert {case.pk for case in tie.tied} == {tied_a.pk, tied_b.pk}
    assert tie.open_seats == 1
    # Choosing between tied cases passes over no higher-ranked case: no reason needed.
    selection_decide(case=tied_b, selected=True, by=organiser)
    assert selected_titles(round) == {"第一", "第二", "并列乙"}
    with pytest.raises(Refused):
        selection_decide(case=tied_a, selected=True, by=organiser)


def test_a_tie_that_fits_inside_the_quota_is_staged_whole(organiser, reviewers):
    round = selection_round([3])
    for title, score in [("一", 90), ("二", 80), ("三", 80), ("四", 70)]:
        scored_case(round, "disclosure", [score], reviewers, title=title)

    proposal = selection_propose(round=round, by=organiser)

    assert selected_titles(round) == {"一", "二", "三"}
    assert proposal.ties == []


def test_propose_replaces_earlier_staged_decisions_and_audits_the_change(organiser, reviewers):
    round = selection_round([1])
    top = scored_case(round, "disclosure", [90], reviewers)
    lower = scored_case(round, "disclosure", [50], reviewers)
    selection_decide(case=lower, selected=True, by=organiser, reason="地方特色突出")

    selection_propose(round=round, by=organiser)

    assert SelectionDecision.objects.get(case=top).selected
    assert not SelectionDecision.objects.get(case=lower).selected
    assert list(SelectionEvent.objects.filter(case=lower).values_list("selected", flat=True)) == [True, False]


def test_passing_over_a_higher_ranked_case_needs_a_written_reason(organiser, reviewers):
    round = selection_round([2])
    higher = scored_case(round, "disclosure", [90], reviewers)
    scored_case(round, "disclosure", [80], reviewers)
    lower = scored_case(round, "disclosure", [70], reviewers)

    with pytest.raises(Refused):
        selection_decide(case=lower, selected=True, by=organiser)
    with pytest.raises(Refused):
        selection_decide(case=lower, selected=True, by=organiser, reason="   ")
    assert not SelectionDecision.objects.filter(case=lower).exists()

    selection_decide(case=higher, selected=True, by=organiser)
    decision = selection_decide(case=lower, selected=True, by=organiser, reason="覆盖偏远地区，示范意义大")

    assert (decision.selected, decision.reason, decision.decided_by) == (
        True,
        "覆盖偏远地区，示范意义大",
        organiser,
    )
    event = SelectionEvent.objects.get(case=lower)
    assert (event.selected, event.reason, event.by) == (True, "覆盖偏远地区，示范意义大", organiser)


def test_selecting_in_rank_order_needs_no_reason(organiser, reviewers):
    round = selection_round([2])
    cases = [scored_case(round, "disclosure", [score], reviewers) for score in (90, 80, 70)]
    selection_decide(case=cases[0], selected=True, by=organiser)
    selection_decide(case=cases[1], selected=True, by=organiser)
    assert selected_titles(round) == {cases[0].title, cases[1].title}


def test_a_selection_beyond_a_full_quota_is_refused(organiser, reviewers):
    round = selection_round([1, 1])
    first = scored_case(round, "disclosure", [90], reviewers)
    second = scored_case(round, "disclosure", [80], reviewers)
    other_category = scored_case(round, "service", [50], reviewers)
    selection_decide(case=first, selected=True, by=organiser)

    with pytest.raises(Refused):
        selection_decide(case=second, selected=True, by=organiser, reason="更好")
    # Another category's quota is separate; deselecting frees the seat.
    selection_decide(case=other_category, selected=True, by=organiser)
    selection_decide(case=first, selected=False, by=organiser)
    selection_decide(case=second, selected=True, by=organiser, reason="第一名材料不实")

    assert selected_titles(round) == {second.title, other_category.title}
    assert SelectionEvent.objects.filter(case=first).count() == 2


def test_only_organisers_decide(reviewers, officer):
    round = selection_round([1])
    case = scored_case(round, "disclosure", [90], reviewers)
    for user in (reviewers[0], officer):
        with pytest.raises(Refused):
            selection_decide(case=case, selected=True, by=user)
        with pytest.raises(Refused):
            selection_propose(round=round, by=user)
    assert not SelectionDecision.objects.exists()


@pytest.mark.parametrize("phase", [Phase.REVIEW, Phase.PUBLISHED])
def test_decisions_only_in_the_selection_phase(organiser, reviewers, phase):
    round = selection_round([1])
    case = scored_case(round, "disclosure", [90], reviewers)
    round.phase = phase
    round.save()
    with pytest.raises(Refused):
        selection_decide(case=case, selected=True, by=organiser)
    with pytest.raises(Refused):
        selection_propose(round=round, by=organiser)


def test_an_ineligible_case_cannot_be_selected(organiser, reviewers):
    round = selection_round([1])
    case = scored_case(round, "disclosure", [90], reviewers)
    case.status = CaseStatus.INELIGIBLE
    case.save()
    with pytest.raises(Refused):
        selection_decide(case=case, selected=True, by=organiser)
