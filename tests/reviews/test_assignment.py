"""Conflicts of interest and the assignment of reviewers to cases."""

import random

import pytest
from django.utils import translation

from govcases.enums import CaseStatus, Level, Phase, Province
from govcases.exceptions import Refused
from reviews.enums import BidChoice
from reviews.models import Assignment, Bid, ReviewerProfile
from reviews.services import (
    assignment_add,
    assignment_generate,
    assignment_remove,
    bid_set,
    reviewer_conflicts,
)
from tests import factories


def make_reviewer(*, agency=None, categories=None, declared=(), max_load=60, username=None):
    extra = {"username": username} if username else {}
    user = factories.ReviewerFactory(**extra)
    profile = user.reviewer_profile
    profile.affiliation_agency = agency
    profile.max_load = max_load
    profile.save()
    if categories is not None:
        profile.categories.set(categories)
    profile.declared_conflicts.set(declared)
    return user


def in_review_case(round_, **kwargs):
    return factories.CaseFactory(round=round_, status=CaseStatus.IN_REVIEW, images=0, **kwargs)


# --- conflicts ---------------------------------------------------------------------------------------------


@pytest.fixture
def agencies(db):
    ministry = factories.AgencyFactory(name="国家发展和改革委员会", level=Level.MINISTRY, province="")
    ministry_bureau = factories.AgencyFactory(
        name="国家粮食和物资储备局", level=Level.MINISTRY, province="", parent=ministry
    )
    guangdong = factories.AgencyFactory(
        name="广东省人民政府", level=Level.PROVINCE, province=Province.GUANGDONG
    )
    shenzhen = factories.AgencyFactory(
        name="深圳市人民政府",
        level=Level.SEPARATELY_LISTED_CITY,
        province=Province.GUANGDONG,
        parent=guangdong,
    )
    futian = factories.AgencyFactory(
        name="深圳市福田区人民政府", level=Level.DISTRICT, province=Province.GUANGDONG, parent=shenzhen
    )
    zhuhai = factories.AgencyFactory(
        name="珠海市人民政府", level=Level.PREFECTURE, province=Province.GUANGDONG, parent=guangdong
    )
    hangzhou = factories.AgencyFactory(
        name="杭州市人民政府", level=Level.PROVINCIAL_CAPITAL, province=Province.ZHEJIANG
    )
    return locals()


def test_a_ministry_reviewer_conflicts_with_their_agency_its_parent_and_children(agencies):
    user = make_reviewer(agency=agencies["ministry"])
    conflicts = reviewer_conflicts(user.reviewer_profile)
    assert conflicts == {agencies["ministry"].pk, agencies["ministry_bureau"].pk}
    user = make_reviewer(agency=agencies["ministry_bureau"])
    assert reviewer_conflicts(user.reviewer_profile) == {
        agencies["ministry"].pk,
        agencies["ministry_bureau"].pk,
    }


def test_a_local_government_reviewer_conflicts_with_their_whole_province(agencies):
    user = make_reviewer(agency=agencies["futian"])
    conflicts = reviewer_conflicts(user.reviewer_profile)
    guangdong = {agencies[key].pk for key in ("guangdong", "shenzhen", "futian", "zhuhai")}
    assert conflicts == guangdong
    assert agencies["hangzhou"].pk not in conflicts


def test_declared_conflicts_count_and_an_institution_alone_conflicts_with_nothing(agencies):
    user = make_reviewer(declared=[agencies["hangzhou"]])
    assert reviewer_conflicts(user.reviewer_profile) == {agencies["hangzhou"].pk}
    assert reviewer_conflicts(make_reviewer().reviewer_profile) == set()


@pytest.mark.parametrize(
    ("affiliation", "case_agency"),
    [
        ("futian", "futian"),  # own agency
        ("shenzhen", "guangdong"),  # parent
        ("shenzhen", "futian"),  # child
        ("futian", "zhuhai"),  # same province, local government
        ("ministry", "ministry_bureau"),  # child of a ministry
        (None, "hangzhou"),  # declared
    ],
)
def test_a_conflicted_pair_is_refused_with_the_reason(round_, organiser, agencies, affiliation, case_agency):
    round_.phase = Phase.REVIEW
    round_.save()
    declared = [agencies["hangzhou"]] if affiliation is None else []
    user = make_reviewer(agency=agencies[affiliation] if affiliation else None, declared=declared)
    case = in_review_case(round_, agency=agencies[case_agency])
    with pytest.raises(Refused) as refused:
        assignment_add(reviewer=user, case=case, by=organiser)
    assert agencies[case_agency].name in str(refused.value)
    assert not Assignment.objects.exists()


def test_a_free_pair_is_assigned_by_hand_and_can_be_removed(round_, organiser, agencies):
    user = make_reviewer(agency=agencies["futian"])
    case = in_review_case(round_, agency=agencies["hangzhou"])
    assignment = assignment_add(reviewer=user, case=case, by=organiser)
    assert assignment.created_by == organiser
    with pytest.raises(Refused):
        assignment_add(reviewer=user, case=case, by=organiser)  # twice
    with pytest.raises(Refused):
        assignment_remove(assignment=assignment, by=user)  # not an organiser
    assignment_remove(assignment=assignment, by=organiser)
    assert not Assignment.objects.exists()


def test_only_organisers_assign(round_, agencies):
    reviewer = make_reviewer()
    case = in_review_case(round_, agency=agencies["hangzhou"])
    with pytest.raises(Refused):
        assignment_add(reviewer=reviewer, case=case, by=reviewer)
    with pytest.raises(Refused):
        assignment_generate(round=round_, by=reviewer)


def test_no_assignments_once_selection_starts(round_, organiser, agencies):
    round_.phase = Phase.SELECTION
    round_.save()
    case = in_review_case(round_, agency=agencies["hangzhou"])
    with pytest.raises(Refused):
        assignment_add(reviewer=make_reviewer(), case=case, by=organiser)
    with pytest.raises(Refused):
        assignment_generate(round=round_, by=organiser)


# --- generation --------------------------------------------------------------------------------------------


def build_instance(round_, seed: int):
    """A random round: provinces, cases in categories, panels with local-government and declared conflicts."""
    rng = random.Random(seed)
    categories = list(round_.categories.order_by("position"))[: rng.randint(1, 3)]
    provinces = [Province.GUANGDONG, Province.ZHEJIANG, Province.SICHUAN, Province.HEBEI]
    agencies = [
        factories.AgencyFactory(
            name=f"随机{seed}市{index}", level=Level.PREFECTURE, province=rng.choice(provinces)
        )
        for index in range(rng.randint(3, 8))
    ]
    cases = [
        in_review_case(round_, agency=rng.choice(agencies), category=rng.choice(categories))
        for _ in range(rng.randint(2, 16))
    ]
    reviewers = []
    for index in range(rng.randint(2, 9)):
        affiliation = rng.choice([None, None, *agencies])
        reviewers.append(
            make_reviewer(
                username=f"r{seed}_{index}",
                agency=affiliation,
                categories=rng.sample(categories, rng.randint(1, len(categories))),
                declared=rng.sample(agencies, rng.randint(0, 1)),
                max_load=rng.choice([2, 5, 60]),
            )
        )
    return cases, reviewers


def snapshot(round_):
    return sorted(Assignment.objects.filter(case__round=round_).values_list("case_id", "reviewer_id"))


def check_assignments(round_, report):
    profiles = {profile.user_id: profile for profile in ReviewerProfile.objects.all()}
    loads = {}
    for _case_id, reviewer_id in snapshot(round_):
        loads[reviewer_id] = loads.get(reviewer_id, 0) + 1
    unfilled = {case.pk for case, _reason in report.unfilled}
    for case in round_.cases.select_related("agency"):
        reviewer_ids = set(case.assignments.values_list("reviewer_id", flat=True))
        for reviewer_id in reviewer_ids:
            profile = profiles[reviewer_id]
            assert case.agency_id not in reviewer_conflicts(profile), "conflicted pair"
            assert case.category in profile.categories.all()
        if case.pk in unfilled:
            assert len(reviewer_ids) < round_.reviews_per_case
        else:
            assert len(reviewer_ids) == round_.reviews_per_case
    for reviewer_id, load in loads.items():
        assert load <= profiles[reviewer_id].max_load
    return loads


@pytest.mark.parametrize("seed", range(12))
def test_generation_on_random_instances(round_, organiser, seed):
    round_.phase = Phase.REVIEW
    round_.save()
    build_instance(round_, seed)
    report = assignment_generate(round=round_, by=organiser)
    assert report.created == len(snapshot(round_))
    loads = check_assignments(round_, report)
    for case, reason in report.unfilled:
        assert reason, f"no reason for {case}"
    # Within a panel whose members all may take each other's cases, loads differ by at most one.
    if not report.unfilled:
        for category in round_.categories.all():
            panel = [
                profile
                for profile in ReviewerProfile.objects.filter(categories=category)
                if not profile.declared_conflicts.exists()
                and profile.affiliation_agency_id is None
                and profile.max_load == 60
                and profile.categories.count() == 1
            ]
            panel_loads = [loads.get(profile.user_id, 0) for profile in panel]
            if len(panel_loads) > 1:
                assert max(panel_loads) - min(panel_loads) <= 1
    # A second run changes nothing: everything that could be filled is filled.
    again = assignment_generate(round=round_, by=organiser)
    assert again.created == 0
    assert [case.pk for case, _ in again.unfilled] == [case.pk for case, _ in report.unfilled]


@pytest.mark.parametrize("seed", range(4))
def test_generation_is_deterministic(django_db_blocker, round_, organiser, seed):
    round_.phase = Phase.REVIEW
    round_.save()
    build_instance(round_, seed)
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        assignment_generate(round=round_, by=organiser)
        first = snapshot(round_)
        raise RuntimeError("roll back")
    assignment_generate(round=round_, by=organiser)
    assert snapshot(round_) == first


def test_loads_are_balanced_within_a_panel(round_, organiser):
    round_.phase = Phase.REVIEW
    round_.save()
    category = round_.categories.first()
    for _ in range(10):
        in_review_case(round_, category=category)
    reviewers = [make_reviewer(categories=[category]) for _ in range(7)]
    report = assignment_generate(round=round_, by=organiser)
    assert report.created == 30 and report.unfilled == []
    loads = [user.assignments.count() for user in reviewers]
    assert max(loads) - min(loads) <= 1


def test_existing_assignments_are_kept_and_only_gaps_filled(round_, organiser):
    round_.phase = Phase.REVIEW
    round_.save()
    category = round_.categories.first()
    cases = [in_review_case(round_, category=category) for _ in range(4)]
    reviewers = [make_reviewer(categories=[category]) for _ in range(5)]
    kept = assignment_add(reviewer=reviewers[4], case=cases[0], by=organiser)
    report = assignment_generate(round=round_, by=organiser)
    assert Assignment.objects.filter(pk=kept.pk).exists()
    assert report.created == 4 * 3 - 1
    assert cases[0].assignments.count() == 3


def test_infeasible_rounds_are_reported_with_reasons(round_, organiser):
    round_.phase = Phase.REVIEW
    round_.save()
    disclosure, service, interaction = list(round_.categories.order_by("position"))[:3]
    guangzhou = factories.AgencyFactory(
        name="广州市人民政府", level=Level.PROVINCIAL_CAPITAL, province=Province.GUANGDONG
    )
    shenzhen = factories.AgencyFactory(
        name="深圳市人民政府", level=Level.PREFECTURE, province=Province.GUANGDONG
    )
    small_panel = in_review_case(round_, category=disclosure)
    conflicted = in_review_case(round_, category=service, agency=shenzhen)
    full = [in_review_case(round_, category=interaction) for _ in range(3)]
    make_reviewer(categories=[disclosure, service])
    for _ in range(3):
        make_reviewer(categories=[service], agency=guangzhou)
    for _ in range(3):
        make_reviewer(categories=[interaction], max_load=2)
    with translation.override("en"):
        report = assignment_generate(round=round_, by=organiser)
    reasons = {case.pk: reason for case, reason in report.unfilled}
    assert set(reasons) == {small_panel.pk, conflicted.pk, full[-1].pk}
    assert "too small" in reasons[small_panel.pk]
    assert "conflict of interest" in reasons[conflicted.pk]
    assert "maximum load" in reasons[full[-1].pk]


# --- bids --------------------------------------------------------------------------------------------------


def test_bids_steer_the_assignment_and_a_declared_conflict_is_never_assigned(round_, organiser):
    round_.reviews_per_case = 1
    round_.phase = Phase.REVIEW
    round_.bidding_open = True
    round_.save()
    category = round_.categories.first()
    first, second = (in_review_case(round_, category=category) for _ in range(2))
    keen, other = make_reviewer(categories=[category]), make_reviewer(categories=[category])
    # Loads end equal either way (one case each): the bids decide who gets which.
    bid_set(reviewer=keen, case=second, choice=BidChoice.KEEN)
    bid_set(reviewer=keen, case=first, choice=BidChoice.RATHER_NOT)
    assignment_generate(round=round_, by=organiser)
    assert set(keen.assignments.values_list("case_id", flat=True)) == {second.pk}

    third = in_review_case(round_, category=category)
    bid_set(reviewer=keen, case=third, choice=BidChoice.CONFLICT)
    bid_set(reviewer=other, case=third, choice=BidChoice.CONFLICT)
    with translation.override("en"):
        report = assignment_generate(round=round_, by=organiser)
        assert [(case.pk, "conflict of interest" in reason) for case, reason in report.unfilled] == [
            (third.pk, True)
        ]
        with pytest.raises(Refused, match="declared a conflict of interest with this case"):
            assignment_add(reviewer=keen, case=third, by=organiser)
    assert not third.assignments.exists()


def test_a_bid_is_refused_outside_the_reviewers_panel_after_assignment_and_after_review(round_, organiser):
    round_.phase = Phase.REVIEW
    round_.bidding_open = True
    round_.save()
    disclosure, service = list(round_.categories.order_by("position"))[:2]
    reviewer = make_reviewer(categories=[disclosure])
    case = in_review_case(round_, category=disclosure)
    with pytest.raises(Refused):
        bid_set(reviewer=reviewer, case=in_review_case(round_, category=service), choice=BidChoice.KEEN)
    with pytest.raises(Refused):
        bid_set(reviewer=reviewer, case=case, choice="eager")
    with pytest.raises(Refused):
        bid_set(reviewer=organiser, case=case, choice=BidChoice.KEEN)
    assert bid_set(reviewer=reviewer, case=case, choice=BidChoice.KEEN).choice == BidChoice.KEEN
    assert bid_set(reviewer=reviewer, case=case, choice=BidChoice.WILLING).choice == BidChoice.WILLING
    assert Bid.objects.count() == 1
    assignment_add(reviewer=reviewer, case=case, by=organiser)
    with pytest.raises(Refused):
        bid_set(reviewer=reviewer, case=case, choice=BidChoice.CONFLICT)
    round_.phase = Phase.SELECTION
    round_.save()
    with pytest.raises(Refused):
        bid_set(reviewer=reviewer, case=in_review_case(round_, category=disclosure), choice=BidChoice.KEEN)
