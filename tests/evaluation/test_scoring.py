"""The evaluation's arithmetic, without a database: totals, ranks, top lists, tiers, the index."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation import scoring
from evaluation.scoring import Dimension, Indicator

DIMENSIONS = [Dimension("a", Decimal(25)), Dimension("b", Decimal(30)), Dimension("c", Decimal(45))]
INDICATORS = [
    Indicator("a1", "a", Decimal(30)),
    Indicator("a2", "a", Decimal(70)),
    Indicator("b1", "b", Decimal(40)),
    Indicator("b2", "b", Decimal(60)),
    Indicator("c1", "c", Decimal(100)),
]
CODES = [indicator.code for indicator in INDICATORS]
MAXIMA = {indicator.code: indicator.max_points for indicator in INDICATORS}

fractions = st.lists(st.integers(0, 10000), min_size=len(CODES), max_size=len(CODES))
totals_in_cents = st.dictionaries(st.integers(0, 60), st.integers(0, 10000), max_size=40)


def points_of(share: list[int]) -> dict[str, Decimal]:
    return {
        code: (MAXIMA[code] * value / 10000).quantize(Decimal("0.01"))
        for code, value in zip(CODES, share, strict=True)
    }


def total(points, applicable=CODES):
    return scoring.agency_total(
        dimensions=DIMENSIONS, indicators=INDICATORS, points=points, applicable=applicable
    )


def test_full_and_empty_marks():
    assert total({code: MAXIMA[code] for code in CODES}) == Decimal("100.00")
    assert total({}) == Decimal("0.00")


def test_a_worked_example():
    # a: (15 + 35) / 100 = 50 %; b: (40 + 0) / 100 = 40 %; c: 90 %; weighted 25·50 + 30·40 + 45·90 = 6500 / 100.
    points = {"a1": Decimal(15), "a2": Decimal(35), "b1": Decimal(40), "c1": Decimal(90)}
    assert total(points) == Decimal("65.00")
    # b1 and b2 do not apply: b drops out and a and c share its weight: (25·50 + 45·90) / 70 = 75.714…
    assert total(points, applicable=["a1", "a2", "c1"]) == Decimal("75.71")


@given(fractions)
def test_a_total_is_between_0_and_100_at_two_decimals(share):
    value = total(points_of(share))
    assert Decimal(0) <= value <= Decimal(100)
    assert value == value.quantize(Decimal("0.01"))


@given(fractions, st.sets(st.sampled_from(CODES), min_size=1))
def test_what_does_not_apply_never_counts(share, applicable):
    """Rescaling: the points of an indicator that does not apply change nothing, whatever they are."""
    points = points_of(share)
    changed = dict(points)
    for code in set(CODES) - applicable:
        changed[code] = MAXIMA[code] - points[code]
    assert total(points, applicable) == total(changed, applicable)


@given(st.integers(0, 10000))
def test_the_same_share_everywhere_is_the_total_whatever_applies(share):
    points = points_of([share] * len(CODES))
    exact = scoring.exact_total(
        dimensions=DIMENSIONS,
        percentages=scoring.dimension_percentages(
            indicators=INDICATORS, points=points, applicable=["a1", "c1"]
        ),
    )
    assert abs(exact - Decimal(share) / 100) < Decimal("0.01")


def test_nothing_applies():
    assert total({}, applicable=[]) is None
    assert scoring.development_index([]) is None
    assert scoring.group_median([]) is None


def cents(values: dict) -> dict:
    return {key: Decimal(value) / 100 for key, value in values.items()}


@given(totals_in_cents)
def test_competition_ranks(values):
    totals = cents(values)
    entries = scoring.ranking(totals)
    ranks = scoring.ranks_of(entries)
    assert set(ranks) == set(totals)
    for key, value in totals.items():
        # 1, 2, 2, 4: one more than the number of agencies ahead.
        assert ranks[key] == 1 + sum(1 for other in totals.values() if other > value)
    assert [entry.rank for entry in entries] == sorted(entry.rank for entry in entries)


def test_ties_share_a_rank_and_the_next_is_skipped():
    entries = scoring.ranking(cents({"广东": 9410, "贵州": 9356, "四川": 9356, "海南": 9288}))
    assert [(entry.rank, set(entry.members)) for entry in entries] == [
        (1, {"广东"}),
        (2, {"贵州", "四川"}),
        (4, {"海南"}),
    ]


def test_ties_are_listed_in_the_given_order():
    totals = {"四川": Decimal("93.557"), "贵州": Decimal("93.561")}
    entries = scoring.ranking(totals, tie_order=lambda key: -totals[key])
    assert entries[0].members == ("贵州", "四川")


def test_an_empty_group():
    assert scoring.ranking({}) == []
    assert scoring.top_list([], 15) == []
    assert scoring.tiers_by_count({}, excellent=3, good=5, names={}) == scoring.Tiers([], [])


@given(totals_in_cents, st.integers(1, 20))
def test_a_top_list_keeps_every_agency_tied_at_its_boundary(values, size):
    totals = cents(values)
    listed = [key for entry in scoring.top_list(scoring.ranking(totals), size) for key in entry.members]
    assert len(listed) >= min(size, len(totals))
    if listed:
        last = min(totals[key] for key in listed)
        assert {key for key, value in totals.items() if value >= last} == set(listed)


def names_for(totals):
    return {key: f"单位{key}" for key in totals}


# The first call loads pypinyin's dictionaries (a second): no deadline for the tests that list names.
@settings(deadline=None)
@given(totals_in_cents, st.integers(0, 15), st.integers(0, 15))
def test_tiers_by_count(values, excellent, good):
    totals = cents(values)
    tiers = scoring.tiers_by_count(totals, excellent=excellent, good=good, names=names_for(totals))
    assert not set(tiers.excellent) & set(tiers.good)
    # A count never splits a tie, and a better agency is never in a lower tier.
    if tiers.excellent:
        floor = min(totals[key] for key in tiers.excellent)
        assert all(totals[key] < floor for key in set(totals) - set(tiers.excellent))
        assert len(tiers.excellent) >= min(excellent, len(totals))
    if tiers.good:
        floor = min(totals[key] for key in tiers.good)
        outside = set(totals) - set(tiers.excellent) - set(tiers.good)
        assert all(totals[key] < floor for key in outside)
    assert len(tiers.excellent) + len(tiers.good) <= len(totals)


def test_tiers_are_listed_in_pinyin_order():
    totals = cents({1: 9000, 2: 8900, 3: 8800, 4: 8700, 5: 8600})
    names = {1: "浙江", 2: "安徽", 3: "重庆", 4: "北京", 5: "广东"}
    tiers = scoring.tiers_by_count(totals, excellent=3, good=2, names=names)
    assert [names[key] for key in tiers.excellent] == ["安徽", "重庆", "浙江"]  # an, chong, zhe
    assert [names[key] for key in tiers.good] == ["北京", "广东"]


@settings(deadline=None)
@given(totals_in_cents, st.integers(0, 10000), st.integers(0, 10000))
def test_tiers_by_cutoff(values, first, second):
    totals = cents(values)
    good_cutoff, excellent_cutoff = sorted([Decimal(first) / 100, Decimal(second) / 100])
    tiers = scoring.tiers_by_cutoff(
        totals, excellent=excellent_cutoff, good=good_cutoff, names=names_for(totals)
    )
    assert set(tiers.excellent) == {key for key, value in totals.items() if value >= excellent_cutoff}
    assert set(tiers.good) == {
        key for key, value in totals.items() if good_cutoff <= value < excellent_cutoff
    }


@given(st.lists(st.integers(0, 10000), min_size=1, max_size=50))
def test_the_index_is_the_mean_of_the_published_totals(values):
    totals = [Decimal(value) / 100 for value in values]
    index = scoring.development_index(totals)
    assert abs(index - sum(totals) / len(totals)) <= Decimal("0.005")
    assert scoring.development_index([Decimal("73.805"), Decimal("73.805")]) == Decimal("73.81")


def test_selected_cases_points_stop_at_the_maximum():
    def points(cases):
        return scoring.selected_cases_points(
            cases=cases, points_per_case=Decimal(50), max_points=Decimal(100)
        )

    assert [points(n) for n in range(4)] == [0, 50, 100, 100]


def test_a_name_that_would_run_as_a_formula_is_written_as_text_in_the_csv():
    from evaluation.models import EvaluationPublication
    from evaluation.opendata import publication_csv

    snapshot = {
        "groups": [
            {
                "code": "province",
                "name": "省（自治区）",
                "name_en": "Provinces and autonomous regions",
                "totals": [{"rank": 1, "agency": "=HYPERLINK(1)", "total": "90.50"}],
            }
        ],
        "tiers": [
            {
                "code": "provincial",
                "group": "省级政府",
                "name_en": "Provincial governments",
                "excellent": ["@SUM(1)"],
                "good": [],
            }
        ],
    }
    text = publication_csv(EvaluationPublication(data=snapshot)).decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text and "'@SUM(1)" in text
    assert ",90.5," in text  # numbers stay numbers
