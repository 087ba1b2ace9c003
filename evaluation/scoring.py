"""The evaluation's arithmetic, without a database: totals, competition ranks, top lists, tiers, the index.

Totals are Decimals. A total is weighted over the dimensions and rescaled over what applies to the agency:
within a dimension, points add up against the maximum of the indicators that apply; an indicator that does
not apply drops out of both; a dimension where nothing applies drops its weight, and the other weights are
stretched to make up 100. Ranks and tiers use the total at two decimals, as it is published.
"""

import statistics
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from govcases.models import pinyin_key

CENTS = Decimal("0.01")
HUNDRED = Decimal(100)


def two_decimals(value: Decimal) -> Decimal:
    """Half up, as a person rounding a published figure would (73.805 → 73.81)."""
    return value.quantize(CENTS, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Indicator:
    code: str
    dimension: str
    max_points: Decimal


@dataclass(frozen=True)
class Dimension:
    code: str
    weight: Decimal


def dimension_percentages(
    *,
    indicators: Iterable[Indicator],
    points: Mapping[str, Decimal],
    applicable: Collection[str],
) -> dict[str, Decimal]:
    """Each dimension's score out of 100 (unrounded), over the indicators that apply; missing points are 0.

    A dimension with nothing that applies is absent from the answer.
    """
    earned: dict[str, Decimal] = {}
    possible: dict[str, Decimal] = {}
    for indicator in indicators:
        if indicator.code not in applicable or indicator.max_points <= 0:
            continue
        earned[indicator.dimension] = earned.get(indicator.dimension, Decimal(0)) + min(
            points.get(indicator.code, Decimal(0)), indicator.max_points
        )
        possible[indicator.dimension] = possible.get(indicator.dimension, Decimal(0)) + indicator.max_points
    return {code: earned[code] * HUNDRED / possible[code] for code in possible}


def exact_total(*, dimensions: Iterable[Dimension], percentages: Mapping[str, Decimal]) -> Decimal | None:
    """The weighted mean of the dimension percentages that apply, unrounded; None when nothing applies."""
    weighted = Decimal(0)
    weights = Decimal(0)
    for dimension in dimensions:
        if dimension.code in percentages and dimension.weight > 0:
            weighted += dimension.weight * percentages[dimension.code]
            weights += dimension.weight
    if not weights:
        return None
    return weighted / weights


def agency_total(
    *,
    dimensions: Iterable[Dimension],
    indicators: Iterable[Indicator],
    points: Mapping[str, Decimal],
    applicable: Collection[str],
) -> Decimal | None:
    """The agency's published total: 0–100 at two decimals, or None when no indicator applies to it."""
    percentages = dimension_percentages(indicators=indicators, points=points, applicable=applicable)
    total = exact_total(dimensions=dimensions, percentages=percentages)
    return None if total is None else two_decimals(total)


@dataclass(frozen=True)
class RankEntry:
    """One rank of a group: a single agency, or the agencies tied at it (并列)."""

    rank: int
    members: tuple

    @property
    def last_position(self) -> int:
        return self.rank + len(self.members) - 1


def ranking(
    totals: Mapping[Hashable, Decimal],
    *,
    tie_order: Callable[[Hashable], tuple] = lambda key: (),
) -> list[RankEntry]:
    """Competition ranks by total at two decimals, descending: 1, 2, 2, 4.

    Agencies tied at a rank are listed by `tie_order` (for example the unrounded total, then pinyin).
    """
    by_total: dict[Decimal, list] = {}
    for key, total in totals.items():
        by_total.setdefault(two_decimals(total), []).append(key)
    entries = []
    position = 1
    for total in sorted(by_total, reverse=True):
        members = tuple(sorted(by_total[total], key=tie_order))
        entries.append(RankEntry(position, members))
        position += len(members)
    return entries


def top_list(entries: Iterable[RankEntry], size: int) -> list[RankEntry]:
    """The published top `size`: every rank up to it, so that agencies tied at the boundary all stay in."""
    return [entry for entry in entries if entry.rank <= size]


def ranks_of(entries: Iterable[RankEntry]) -> dict:
    return {member: entry.rank for entry in entries for member in entry.members}


@dataclass(frozen=True)
class Tiers:
    excellent: list
    good: list


def _in_pinyin_order(keys: Iterable, names: Mapping) -> list:
    return sorted(keys, key=lambda key: (pinyin_key(names[key]), names[key]))


def tiers_by_count(
    totals: Mapping[Hashable, Decimal], *, excellent: int, good: int, names: Mapping[Hashable, str]
) -> Tiers:
    """The best `excellent` agencies are 优秀 and the next `good` are 良好, each listed in pinyin order.

    An agency tied with the last one in a tier is in that tier too: a count never splits a tie.
    """
    entries = ranking(totals)
    excellent_keys = [key for entry in top_list(entries, excellent) for key in entry.members]
    good_keys = [
        key for entry in entries if excellent < entry.rank <= excellent + good for key in entry.members
    ]
    return Tiers(_in_pinyin_order(excellent_keys, names), _in_pinyin_order(good_keys, names))


def tiers_by_cutoff(
    totals: Mapping[Hashable, Decimal],
    *,
    excellent: Decimal,
    good: Decimal,
    names: Mapping[Hashable, str],
) -> Tiers:
    """Totals (at two decimals) at or above `excellent` are 优秀, at or above `good` 良好; pinyin order."""
    excellent_keys = [key for key, total in totals.items() if two_decimals(total) >= excellent]
    good_keys = [key for key, total in totals.items() if good <= two_decimals(total) < excellent]
    return Tiers(_in_pinyin_order(excellent_keys, names), _in_pinyin_order(good_keys, names))


def development_index(totals: Iterable[Decimal]) -> Decimal | None:
    """The national index: the mean of the surveyed agencies' published totals, at two decimals."""
    published = [two_decimals(total) for total in totals]
    if not published:
        return None
    return two_decimals(sum(published, Decimal(0)) / len(published))


def group_median(totals: Iterable[Decimal]) -> Decimal | None:
    published = [two_decimals(total) for total in totals]
    if not published:
        return None
    return two_decimals(Decimal(statistics.median(published)))


def selected_cases_points(*, cases: int, points_per_case: Decimal, max_points: Decimal) -> Decimal:
    """The 优秀创新案例 dimension's points: so much per selected case, up to the indicator's maximum."""
    return min(points_per_case * cases, max_points)
