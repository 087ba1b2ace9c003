"""The scoring arithmetic, without a database: properties that must hold for any scores."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from reviews import scoring

totals = st.lists(st.integers(min_value=0, max_value=100), min_size=1, max_size=12)


@given(totals)
def test_a_mean_lies_between_the_lowest_and_the_highest_score(values):
    assert min(values) <= scoring.mean(values) <= max(values)
    assert min(values) <= scoring.median(values) <= max(values)


@given(totals)
def test_spread_is_never_negative_and_zero_when_everyone_agrees(values):
    assert scoring.stdev(values) >= 0
    assert scoring.score_range(values) == max(values) - min(values)
    assert scoring.stdev([values[0]] * len(values)) == 0


def test_an_empty_list_gives_no_score_rather_than_zero():
    for function in (scoring.mean, scoring.median, scoring.stdev, scoring.score_range):
        assert function([]) is None
    assert scoring.two_places(None) is None
    assert scoring.normalise([], min_reviews=1) == {}
    assert scoring.competition_rank([None, 80]) == [None, 1]
    assert scoring.disagreement([], range_threshold=1, stdev_threshold=1) is False


def test_known_values():
    assert scoring.mean([80, 81, 81]) == 242 / 3
    assert scoring.two_places(scoring.mean([80, 81, 81])) == Decimal("80.67")
    assert scoring.median([70, 90]) == 80
    assert scoring.median([70, 95, 90]) == 90
    # Population standard deviation: the reviews of a case are all the opinions there are.
    assert scoring.stdev([70, 90]) == 10
    assert scoring.two_places(0.125) == Decimal("0.13")


@given(st.lists(st.one_of(st.none(), st.integers(0, 100), st.floats(0, 100)), max_size=20))
def test_equal_scores_share_a_rank_and_the_next_rank_is_skipped(values):
    ranks = scoring.competition_rank(values)
    shown = [scoring.two_places(value) for value in values]
    for value, rank in zip(shown, ranks, strict=True):
        if value is None:
            assert rank is None
            continue
        higher = sum(1 for other in shown if other is not None and other > value)
        assert rank == higher + 1
        for other, other_rank in zip(shown, ranks, strict=True):
            if other == value:
                assert other_rank == rank


def test_competition_ranking_and_ties():
    ranks = scoring.competition_rank([90, 85.004, 85, 70, None])
    assert ranks == [1, 2, 2, 4, None]
    assert scoring.tied(ranks) == [False, True, True, False, False]


def test_disagreement_flag():
    assert scoring.disagreement([60, 90], range_threshold=25, stdev_threshold=100)
    assert scoring.disagreement([60, 90], range_threshold=100, stdev_threshold=12)
    assert not scoring.disagreement([80, 85, 90], range_threshold=25, stdev_threshold=12)
    assert not scoring.disagreement([10], range_threshold=0, stdev_threshold=0)


@st.composite
def rounds_of_ratings(draw):
    """Every reviewer scores at least `min_reviews` cases, so every reviewer is normalised."""
    min_reviews = draw(st.integers(1, 4))
    cases = list(range(draw(st.integers(min_reviews, 12))))
    reviewer_count = draw(st.integers(1, 5))
    ratings = []
    for reviewer in range(reviewer_count):
        scored = draw(
            st.lists(st.sampled_from(cases), min_size=min_reviews, max_size=len(cases), unique=True)
        )
        ratings += [scoring.Rating(reviewer, case, draw(st.integers(0, 100))) for case in scored]
    return ratings, min_reviews, reviewer_count


@settings(max_examples=200)
@given(rounds_of_ratings(), st.data())
def test_shifting_one_reviewers_scores_leaves_the_normalised_ranking_unchanged(drawn, data):
    ratings, min_reviews, reviewer_count = drawn
    harsh = data.draw(st.integers(0, reviewer_count - 1))
    shift = data.draw(st.integers(-40, 40))
    shifted = [
        scoring.Rating(r.reviewer, r.case, r.total + shift if r.reviewer == harsh else r.total)
        for r in ratings
    ]
    before = scoring.normalise(ratings, min_reviews=min_reviews)
    after = scoring.normalise(shifted, min_reviews=min_reviews)
    assert before.keys() == after.keys()
    tolerance = 1e-6
    for a in before:
        for b in before:
            if before[a] > before[b] + tolerance:
                assert after[a] > after[b]


def test_normalisation_corrects_a_harsh_reviewer_and_leaves_too_few_reviews_raw():
    # Reviewer "harsh" gives 20 points less than "fair" to the same cases; a third case is scored by harsh only.
    ratings = [
        scoring.Rating("fair", "a", 90),
        scoring.Rating("fair", "b", 80),
        scoring.Rating("harsh", "c", 75),
        scoring.Rating("harsh", "a", 70),
        scoring.Rating("harsh", "b", 60),
    ]
    raw_means = {"a": 80, "b": 70, "c": 75}
    normalised = scoring.normalise(ratings, min_reviews=2)
    assert sorted(raw_means, key=raw_means.get, reverse=True) == ["a", "c", "b"]
    assert sorted(normalised, key=normalised.get, reverse=True) == ["c", "a", "b"]
    # With too few reviews per reviewer, the raw totals stand.
    assert scoring.normalise(ratings, min_reviews=5) == raw_means


# --- ranking conventions and the stability of a place near the cut line -----------------------------------


def test_dense_ranks_do_not_skip_after_a_tie():
    assert scoring.dense_rank([90, 85, 85, 80, None]) == [1, 2, 2, 3, None]
    assert scoring.ranks([90, 85, 85, 80], convention=scoring.DENSE) == [1, 2, 2, 3]
    assert scoring.ranks([90, 85, 85, 80], convention=scoring.COMPETITION) == [1, 2, 2, 4]
    # Compared at two decimals, as shown.
    assert scoring.dense_rank([80.004, 80.001, 79.996]) == [1, 1, 1]


@given(st.lists(st.one_of(st.none(), st.integers(0, 100), st.floats(0, 100)), max_size=20))
def test_a_dense_rank_counts_the_distinct_scores_above(values):
    shown = [scoring.two_places(value) for value in values]
    for value, rank in zip(shown, scoring.dense_rank(values), strict=True):
        if value is None:
            assert rank is None
        else:
            assert rank == len({other for other in shown if other is not None and other > value}) + 1


def test_bootstrap_intervals_widen_with_disagreement_and_ignore_settled_cases():
    reviews = [
        [95, 96, 94],  # always first
        [70, 90, 80],  # disputed, around the cut
        [79, 81, 80],  # steady, around the cut
        [10, 12, 11],  # always last
        [],  # not scored
    ]
    intervals = scoring.bootstrap_rank_intervals(reviews, focus=[1, 2, 4], seed=3)
    assert set(intervals) == {1, 2}  # a case without reviews has no rank to move
    assert intervals[1] == (2, 3) and intervals[2] == (2, 3)
    settled = scoring.bootstrap_rank_intervals(reviews, focus=[0, 3], seed=3)
    assert settled == {0: (1, 1), 3: (4, 4)}
    # Seeded: the page shows the same intervals every time.
    assert scoring.bootstrap_rank_intervals(reviews, focus=[1, 2], seed=3) == intervals


def test_a_unanimous_case_stays_put_between_two_disputed_ones():
    reviews = [[60, 100, 80], [80, 80, 80], [50, 100, 75]]
    intervals = scoring.bootstrap_rank_intervals(reviews, focus=[0, 1, 2], draws=2000, seed=1)
    assert intervals[0][0] == 1 and intervals[0][1] >= 2
    assert intervals[1][0] <= 2 <= intervals[1][1] and intervals[1] != (2, 2)
    assert intervals[2][1] == 3


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.integers(0, 100), max_size=4), min_size=1, max_size=12), st.integers(0, 99))
def test_bootstrap_intervals_lie_within_the_scored_cases(reviews, seed):
    scored = sum(1 for values in reviews if values)
    intervals = scoring.bootstrap_rank_intervals(reviews, focus=range(len(reviews)), draws=200, seed=seed)
    assert set(intervals) == {index for index, values in enumerate(reviews) if values}
    for index, (low, high) in intervals.items():
        assert 1 <= low <= high <= scored
        # Cases whose every review is above all of this case's are above it in every draw.
        surely_above = sum(1 for values in reviews if values and min(values) > max(reviews[index]))
        assert low >= surely_above + 1


def test_normalise_is_the_mean_of_the_normalised_ratings():
    ratings = [
        scoring.Rating("harsh", "a", 60),
        scoring.Rating("harsh", "b", 70),
        scoring.Rating("kind", "a", 90),
        scoring.Rating("kind", "b", 80),
    ]
    mapped = scoring.normalised_ratings(ratings, min_reviews=2)
    assert scoring.normalise(ratings, min_reviews=2) == {case: scoring.mean(v) for case, v in mapped.items()}
