"""The arithmetic of scoring: pure functions on plain numbers, no Django, tested without a database.

Conventions:
- Every aggregate of an empty list is None: a case nobody has scored has no score, not a score of zero.
- The standard deviation is the *population* one (divide by n). A case's reviews are all the opinions there
  are about it, not a sample drawn from a larger set, and the population form is defined for a single review
  (0: nobody disagrees with themselves), where the sample form would be undefined. The round's disagreement
  threshold is set against this same definition.
- Values are compared and ranked at two decimals, as they are shown: two cases shown with equal scores share
  a rank.
"""

import math
from collections.abc import Hashable, Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

import numpy as np

TWO_PLACES = Decimal("0.01")


def total(points: Iterable[int]) -> int:
    """A review's total: the sum of its criteria's points."""
    return sum(points)


def mean(values: Sequence[float]) -> float | None:
    if not values:
        return None
    return math.fsum(values) / len(values)


def median(values: Sequence[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2


def stdev(values: Sequence[float]) -> float | None:
    """Population standard deviation (see the module's docstring for why)."""
    centre = mean(values)
    if centre is None:
        return None
    return math.sqrt(math.fsum((value - centre) ** 2 for value in values) / len(values))


def score_range(values: Sequence[float]) -> float | None:
    """Highest minus lowest: how far apart the most and least generous reviewers are."""
    if not values:
        return None
    return float(max(values) - min(values))


def two_places(value: float | None) -> Decimal | None:
    """The value as shown and compared: a Decimal rounded half up to two decimals."""
    if value is None:
        return None
    return Decimal(repr(float(value))).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def disagreement(values: Sequence[float], *, range_threshold: float, stdev_threshold: float) -> bool:
    """True when the reviewers of one case disagree beyond the round's thresholds (needs two reviews)."""
    if len(values) < 2:
        return False
    return score_range(values) > range_threshold or stdev(values) > stdev_threshold


class Rating(NamedTuple):
    """One submitted review's total, with who gave it and to which case (a tuple: a round has tens of
    thousands, and a tuple is the cheapest immutable record to build)."""

    reviewer: Hashable
    case: Hashable
    total: float


def normalise(ratings: Sequence[Rating], *, min_reviews: int) -> dict[Hashable, float]:
    """Each case's normalised score, correcting harsh and lenient reviewers.

    For a reviewer with at least `min_reviews` ratings, each rating becomes z = (x − μ_r) / σ_r (0 when the
    reviewer gave every case the same total: such a reviewer tells cases apart not at all) and is mapped back
    onto the 0–100 scale as μ + σ·z with the overall μ and σ of every rating. A reviewer with fewer ratings
    has too little to estimate their harshness from; their raw totals are used. A case's normalised score is
    the mean of its mapped ratings. Cases without ratings are absent from the result.
    """
    mapped_by_case = normalised_ratings(ratings, min_reviews=min_reviews)
    return {case: mean(values) for case, values in mapped_by_case.items()}


def competition_rank(values: Sequence[float | Decimal | None]) -> list[int | None]:
    """Standard competition ranks, highest first (1, 2, 2, 4), comparing values at two decimals.

    The result is aligned with the input; a value of None (no score) gets no rank.
    """
    shown = [two_places(value) for value in values]
    ordered = sorted((value for value in shown if value is not None), reverse=True)
    first_position: dict[Decimal, int] = {}
    for position, value in enumerate(ordered, start=1):
        first_position.setdefault(value, position)
    return [None if value is None else first_position[value] for value in shown]


def tied(ranks: Sequence[int | None]) -> list[bool]:
    """For each rank, whether another entry shares it (并列)."""
    counts: dict[int, int] = {}
    for rank in ranks:
        if rank is not None:
            counts[rank] = counts.get(rank, 0) + 1
    return [rank is not None and counts[rank] > 1 for rank in ranks]


def score_band(score: float | Decimal | None) -> str:
    """The ten-point band a score falls in, as an agency is told it: "80–89", and "90–100" at the top."""
    if score is None:
        return "—"
    low = min(int(score) // 10 * 10, 90)
    return f"{low}–{100 if low == 90 else low + 9}"


def dense_rank(values: Sequence[float | Decimal | None]) -> list[int | None]:
    """Dense ranks, highest first (1, 2, 2, 3), comparing values at two decimals; None gets no rank."""
    shown = [two_places(value) for value in values]
    distinct = sorted({value for value in shown if value is not None}, reverse=True)
    place = {value: position for position, value in enumerate(distinct, start=1)}
    return [None if value is None else place[value] for value in shown]


COMPETITION, DENSE = "competition", "dense"


def ranks(values: Sequence[float | Decimal | None], *, convention: str = COMPETITION) -> list[int | None]:
    """Ranks by the round's convention: competition (1, 2, 2, 4) or dense (1, 2, 2, 3)."""
    return dense_rank(values) if convention == DENSE else competition_rank(values)


def normalised_ratings(ratings: Sequence[Rating], *, min_reviews: int) -> dict[Hashable, list[float]]:
    """Each case's ratings mapped onto the round's scale, as `normalise` averages them."""
    if not ratings:
        return {}
    every_total = [rating.total for rating in ratings]
    overall_mean, overall_stdev = mean(every_total), stdev(every_total)
    by_reviewer: dict[Hashable, list[float]] = {}
    for rating in ratings:
        by_reviewer.setdefault(rating.reviewer, []).append(rating.total)
    reviewer_scale = {
        reviewer: (mean(totals), stdev(totals))
        for reviewer, totals in by_reviewer.items()
        if len(totals) >= min_reviews
    }
    mapped_by_case: dict[Hashable, list[float]] = {}
    for rating in ratings:
        scale = reviewer_scale.get(rating.reviewer)
        if scale is None:
            mapped = rating.total
        else:
            reviewer_mean, reviewer_stdev = scale
            z = (rating.total - reviewer_mean) / reviewer_stdev if reviewer_stdev > 0 else 0.0
            mapped = overall_mean + overall_stdev * z
        mapped_by_case.setdefault(rating.case, []).append(mapped)
    return mapped_by_case


def bootstrap_rank_intervals(
    reviews: Sequence[Sequence[float]],
    *,
    focus: Iterable[int],
    draws: int = 1000,
    coverage: float = 0.9,
    seed: int = 0,
) -> dict[int, tuple[int, int]]:
    """How far the ranks of some cases could move if their reviews had come out otherwise.

    `reviews` holds, for each case of one category, the values its score is the mean of (an empty list: no
    score, never ranked). Each draw resamples every case's values with replacement, as many as it has, and
    ranks the resampled means at two decimals (competition ranks). For each index in `focus` the result is the
    central `coverage` interval of its ranks over the draws. Seeded: the same input gives the same intervals.

    A case whose values all lie above (below) every value of the focused cases is above (below) them in every
    draw, whatever is drawn; only the others are resampled, so a category of thousands costs what its cut
    line's neighbourhood costs.
    """
    focus = [index for index in focus if reviews[index]]
    if not focus:
        return {}
    low = min(_cents(min(reviews[index])) for index in focus)
    high = max(_cents(max(reviews[index])) for index in focus)
    always_above = sum(1 for values in reviews if values and _cents(min(values)) > high)
    contenders = [
        index
        for index, values in enumerate(reviews)
        if values and _cents(min(values)) <= high and _cents(max(values)) >= low
    ]
    rng = np.random.default_rng(seed)
    scores = np.empty((draws, len(contenders)))
    for column, index in enumerate(contenders):
        values = np.asarray(reviews[index], dtype=float)
        picks = rng.integers(0, len(values), size=(draws, len(values)))
        scores[:, column] = _cents(values[picks].mean(axis=1))
    result = {}
    tail = (1 - coverage) / 2
    for index in focus:
        column = contenders.index(index)
        above = (scores > scores[:, [column]]).sum(axis=1)
        drawn = always_above + 1 + above
        result[index] = (
            int(np.quantile(drawn, tail, method="lower")),
            int(np.quantile(drawn, 1 - tail, method="higher")),
        )
    return result


def _cents(value):
    """A score in hundredths, rounded half up as scores are shown and compared (the tiny term absorbs the
    binary error of a mean such as 80.665); works on numbers and numpy arrays alike."""
    return np.floor(np.asarray(value) * 100 + 0.5 + 1e-9)
