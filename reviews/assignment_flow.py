"""The assignment of reviewers to cases as a minimum-cost flow: plain data in, pairs out, no database.

The problem. Each case needs `need` more reviewers from the panel of its category; a reviewer may take a
case of their panel unless they have a conflict of interest with its agency, declared one with the case
itself, or are already on it, and takes at most
`max_load` cases in the round (the assignments they already have count). Among all assignments that respect
this, the solver finds one that is best in this order, each criterion only breaking the ties of the ones
before it:

1. the fewest reviews left unassigned (when everything can be filled, everything is; when reviewers run
   short, no chain of moves could place one more review);
2. the most even loads: the smallest sum over reviewers of 1 + 2 + … + load, which is the sum of squared
   loads up to a constant; among loads with a fixed total this is also the most even vector in every other
   sense (the highest load as low as it can be, then the next, …), so two reviewers of one panel who could
   take each other's cases end within one of each other;
3. the smallest sum of the reviewers' preference costs (`PREFERENCE_COSTS`; a pair without a preference
   costs `DEFAULT_PREFERENCE_COST`).

The flow network. Cases whose choices are identical — the same need, the same eligible reviewers and the same
preference costs — form one class (a national round of 20 000 cases has only a few thousand: cases of one
agency and category, or of agencies no reviewer conflicts with); every class is a node with the supply
class size × need. An arc from a class to each eligible reviewer carries at most the class size (a reviewer
takes each case once) at the pair's preference cost; an arc from the class straight to the sink carries the
reviews left unassigned at a prohibitive cost; each reviewer reaches the sink through one arc per further
case they may take, the k-th costing k: increasing marginal costs make the load's cost convex, so the
cheapest flow fills the idlest reviewers first. The three criteria are folded into one integer cost with
weights chosen so that a criterion outweighs everything below it on any simple cycle of the residual network
(which passes the sink at most once, so carries at most two load or unassigned arcs): optimality of the
weighted cost is then exactly optimality in the order above. A class's flow is then dealt out to its cases
(`_deal`), which loses nothing because no reviewer carries more than the class size.
"""

import heapq
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
from ortools.graph.python import min_cost_flow

# The cost of a pair by the reviewer's stated wish; without one, the pair is "willing".
KEEN, WILLING, RATHER_NOT = "keen", "willing", "rather_not"
PREFERENCE_COSTS = {KEEN: 0, WILLING: 1, RATHER_NOT: 4}
DEFAULT_PREFERENCE_COST = PREFERENCE_COSTS[WILLING]


@dataclass(frozen=True)
class CaseNeed:
    """A case that needs `need` more reviewers from the panel `panel` (its category)."""

    id: int
    panel: Hashable
    agency: int
    need: int
    already: frozenset[int] = frozenset()  # its reviewers now: never assigned twice
    declined: frozenset[int] = frozenset()  # reviewers who declared a conflict with this very case


@dataclass(frozen=True)
class ReviewerLoad:
    id: int
    panels: frozenset
    conflicts: frozenset[int]  # the agencies whose cases they must never score
    load: int  # the cases they already have in the round
    max_load: int


@dataclass
class Solution:
    pairs: list[tuple[int, int]]  # (case, reviewer), new assignments, sorted
    short: dict[int, int] = field(default_factory=dict)  # case → reviews still missing, for those short
    cost: tuple[int, int, int] = (0, 0, 0)  # (reviews missing, load cost, preference cost)


class SolverFailed(RuntimeError):
    """The solver could not solve a network that always has a solution: a bug, not bad input."""


def eligible(case: CaseNeed, reviewer: ReviewerLoad) -> bool:
    return (
        case.panel in reviewer.panels
        and case.agency not in reviewer.conflicts
        and reviewer.id not in case.already
        and reviewer.id not in case.declined
    )


def load_cost(before: int, after: int) -> int:
    """The cost of a reviewer's load growing from `before` to `after`: before+1 + before+2 + … + after."""
    return (after * (after + 1) - before * (before + 1)) // 2


def objective(
    cases: Iterable[CaseNeed],
    reviewers: Iterable[ReviewerLoad],
    pairs: Iterable[tuple[int, int]],
    preferences: Mapping[tuple[int, int], int] | None = None,
) -> tuple[int, int, int]:
    """The value that the solver minimises (compared as a tuple), of any set of new pairs."""
    preferences = preferences or {}
    pairs = list(pairs)
    taken: dict[int, int] = defaultdict(int)
    added: dict[int, int] = defaultdict(int)
    for case_id, reviewer_id in pairs:
        taken[case_id] += 1
        added[reviewer_id] += 1
    missing = sum(max(0, case.need - taken[case.id]) for case in cases)
    loads = sum(load_cost(reviewer.load, reviewer.load + added[reviewer.id]) for reviewer in reviewers)
    preference = sum(preferences.get(pair, DEFAULT_PREFERENCE_COST) for pair in pairs)
    return (missing, loads, preference)


def solve(
    cases: Iterable[CaseNeed],
    reviewers: Iterable[ReviewerLoad],
    preferences: Mapping[tuple[int, int], int] | None = None,
) -> Solution:
    """The optimal new pairs (see the module's docstring). Deterministic for the same input.

    `preferences` maps (case, reviewer) to a cost of at least 0, for the pairs that have one.
    """
    preferences = preferences or {}
    cases = sorted((case for case in cases if case.need > 0), key=lambda case: case.id)
    reviewers = sorted(reviewers, key=lambda reviewer: reviewer.id)
    if any(cost < 0 for cost in preferences.values()):
        raise ValueError("preference costs are at least 0")

    classes = _classes(cases, reviewers, preferences)
    ids = np.array([reviewer.id for reviewer in reviewers], dtype=np.int64)
    reviewer_node = len(classes)
    sink = reviewer_node + len(reviewers)
    # The arcs from classes to reviewers, as arrays: a national round with bids has millions of them.
    pair_tails = np.repeat(
        np.arange(len(classes), dtype=np.int32), [len(klass.reviewers) for klass in classes]
    ).astype(np.int32)
    pair_reviewers = np.concatenate([klass.reviewers for klass in classes] or [np.zeros(0, np.int32)])
    pair_capacities = np.repeat(
        np.array([len(klass.cases) for klass in classes], dtype=np.int64),
        [len(klass.reviewers) for klass in classes],
    )
    pair_costs = np.concatenate([klass.costs for klass in classes] or [np.zeros(0, np.int64)])

    # How many more cases each reviewer could possibly take: the load arcs beyond that are never used.
    reachable = np.bincount(pair_reviewers, weights=pair_capacities, minlength=len(reviewers))
    extra = [
        max(0, min(reviewer.max_load - reviewer.load, int(reachable[position])))
        for position, reviewer in enumerate(reviewers)
    ]
    highest_marginal = max(
        (reviewer.load + room for reviewer, room in zip(reviewers, extra, strict=True)), default=0
    )
    highest_preference = max([DEFAULT_PREFERENCE_COST, *preferences.values()])
    # Bounds on what one simple residual cycle can change below each criterion (see the docstring).
    preference_bound = (2 * len(reviewers) + 2) * highest_preference
    load_weight = preference_bound + 1
    missing_weight = highest_marginal * load_weight + preference_bound + 1

    tails, heads, capacities, costs = [], [], [], []
    for index, klass in enumerate(classes):
        tails.append(index)
        heads.append(sink)
        capacities.append(len(klass.cases) * klass.need)
        costs.append(missing_weight)
    for position, (reviewer, room) in enumerate(zip(reviewers, extra, strict=True)):
        for load in range(reviewer.load + 1, reviewer.load + room + 1):
            tails.append(reviewer_node + position)
            heads.append(sink)
            capacities.append(1)
            costs.append(load * load_weight)

    flow = min_cost_flow.SimpleMinCostFlow()
    supplies = np.zeros(sink + 1, dtype=np.int64)
    supplies[: len(classes)] = [len(klass.cases) * klass.need for klass in classes]
    supplies[sink] = -int(supplies.sum())
    flow.add_arcs_with_capacity_and_unit_cost(
        np.concatenate([pair_tails, np.array(tails, dtype=np.int32)]),
        np.concatenate([pair_reviewers + reviewer_node, np.array(heads, dtype=np.int32)]).astype(np.int32),
        np.concatenate([pair_capacities, np.array(capacities, dtype=np.int64)]),
        np.concatenate([pair_costs, np.array(costs, dtype=np.int64)]),
    )
    flow.set_nodes_supplies(np.arange(sink + 1, dtype=np.int32), supplies)
    status = flow.solve() if classes else flow.OPTIMAL
    if status != flow.OPTIMAL:
        raise SolverFailed(f"min-cost flow: {status}")

    carried = flow.flows(np.arange(len(pair_tails), dtype=np.int32)) if classes else np.zeros(0, np.int64)
    pairs: list[tuple[int, int]] = []
    short: dict[int, int] = {}
    start = 0
    for klass in classes:
        end = start + len(klass.reviewers)
        used = np.flatnonzero(carried[start:end])
        given = dict(
            zip(
                ids[klass.reviewers[used]].tolist(),
                carried[start:end][used].tolist(),
                strict=True,
            )
        )
        start = end
        for case, chosen in zip(klass.cases, _deal(given, len(klass.cases), klass.need), strict=True):
            pairs += [(case.id, reviewer_id) for reviewer_id in chosen]
            if len(chosen) < klass.need:
                short[case.id] = klass.need - len(chosen)
    pairs.sort()
    return Solution(pairs=pairs, short=short, cost=objective(cases, reviewers, pairs, preferences))


@dataclass
class _Class:
    need: int
    reviewers: np.ndarray  # positions (in the sorted list) of the eligible reviewers, ascending
    costs: np.ndarray  # their preference costs
    cases: list[CaseNeed]


def _classes(
    cases: list[CaseNeed], reviewers: list[ReviewerLoad], preferences: Mapping[tuple[int, int], int]
) -> list[_Class]:
    """Cases grouped by what they offer the solver: need, eligible reviewers and their preference costs.

    Eligibility is computed once per panel and agency (conflicts are between reviewers and agencies); only a
    case with reviewers already on it, declined by some or with stated preferences has choices of its own.
    """
    positions = {reviewer.id: position for position, reviewer in enumerate(reviewers)}
    panels: dict[Hashable, list[int]] = defaultdict(list)
    for position, reviewer in enumerate(reviewers):
        for panel in reviewer.panels:
            panels[panel].append(position)
    with_preferences: dict[int, dict[int, int]] = defaultdict(dict)
    for (case_id, reviewer_id), cost in preferences.items():
        if reviewer_id in positions:
            with_preferences[case_id][positions[reviewer_id]] = cost
    by_agency: dict[tuple[Hashable, int], tuple[np.ndarray, np.ndarray]] = {}
    by_choices: dict[tuple, _Class] = {}
    for case in cases:
        key = (case.panel, case.agency)
        if key not in by_agency:
            eligible_positions = np.array(
                [
                    position
                    for position in panels.get(case.panel, ())
                    if case.agency not in reviewers[position].conflicts
                ],
                dtype=np.int32,
            )
            by_agency[key] = (
                eligible_positions,
                np.full(len(eligible_positions), DEFAULT_PREFERENCE_COST, dtype=np.int64),
            )
        chosen, costs = by_agency[key]
        barred = [positions[pk] for pk in case.already | case.declined if pk in positions]
        if barred:
            kept = ~np.isin(chosen, barred)
            chosen, costs = chosen[kept], costs[kept]
        stated = with_preferences.get(case.id)
        if stated:
            costs = costs.copy()
            for position, cost in stated.items():
                index = int(np.searchsorted(chosen, position))
                if index < len(chosen) and chosen[index] == position:
                    costs[index] = cost
        signature = (case.need, chosen.tobytes(), costs.tobytes())
        klass = by_choices.get(signature)
        if klass is None:
            klass = by_choices[signature] = _Class(need=case.need, reviewers=chosen, costs=costs, cases=[])
        klass.cases.append(case)
    return list(by_choices.values())


def _deal(flows: dict[int, int], size: int, need: int) -> list[list[int]]:
    """Deals a class's flow out to its `size` cases in order, each getting at most `need` reviewers.

    Each case takes the reviewers with the most left to give (ties by id). As no reviewer carries more than
    `size`, nobody is ever left over or given twice to a case: a reviewer with as much left as there are cases
    left is always among those taken, since at most `need` can be in that position. A shortage falls on the
    last cases of the class, so fewer cases are short.
    """
    heap = [(-amount, reviewer_id) for reviewer_id, amount in flows.items()]
    heapq.heapify(heap)
    dealt = []
    for _case in range(size):
        taken = [heapq.heappop(heap) for _ in range(min(need, len(heap)))]
        dealt.append(sorted(reviewer_id for _amount, reviewer_id in taken))
        for amount, reviewer_id in taken:
            if amount + 1 < 0:
                heapq.heappush(heap, (amount + 1, reviewer_id))
    if heap:
        raise SolverFailed("a class's flow could not be dealt out to its cases")
    return dealt
