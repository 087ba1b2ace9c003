"""The assignment solver without a database: optimal against an exhaustive search, and its invariants."""

import itertools
import math
import random
from collections import defaultdict, deque

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviews.assignment_flow import (
    PREFERENCE_COSTS,
    CaseNeed,
    ReviewerLoad,
    eligible,
    load_cost,
    objective,
    solve,
)


def random_instance(rng: random.Random, *, cases: int, reviewers: int, panels: int = 2, agencies: int = 4):
    """Cases of a few agencies (so that some are alike and solved as one class), reviewers on one or more
    panels with conflicts, existing assignments and loads, tight maximum loads, some stated preferences."""
    agency_ids = list(range(1, agencies + 1))
    reviewer_list = []
    for number in range(1, reviewers + 1):
        load = rng.choice([0, 0, 1, 2])
        reviewer_list.append(
            ReviewerLoad(
                id=100 + number,
                panels=frozenset(rng.sample(range(panels), rng.randint(1, panels))),
                conflicts=frozenset(rng.sample(agency_ids, min(agencies, rng.choice([0, 0, 1, 2])))),
                load=load,
                max_load=load + rng.choice([0, 1, 2, 4, 8, 8]),
            )
        )
    case_list = []
    for number in range(1, cases + 1):
        need = rng.randint(1, 3)
        already = frozenset(
            reviewer.id for reviewer in rng.sample(reviewer_list, rng.choice([0, 0, 0, 1])) if need < 3
        )
        declined = frozenset(reviewer.id for reviewer in rng.sample(reviewer_list, rng.choice([0, 0, 0, 1])))
        case_list.append(
            CaseNeed(
                id=number,
                panel=rng.randrange(panels),
                agency=rng.choice(agency_ids),
                need=need,
                already=already,
                declined=declined - already,
            )
        )
    preferences = {}
    if rng.random() < 0.5:
        for case in case_list:
            for reviewer in reviewer_list:
                if rng.random() < 0.3:
                    preferences[case.id, reviewer.id] = rng.choice(list(PREFERENCE_COSTS.values()))
    return case_list, reviewer_list, preferences


def exhaustive_optimum(cases, reviewers, preferences) -> tuple[int, int, int]:
    """The best value of every possible assignment, tried one by one."""
    options = []
    for case in cases:
        candidates = [reviewer.id for reviewer in reviewers if eligible(case, reviewer)]
        options.append(
            [
                [(case.id, reviewer_id) for reviewer_id in chosen]
                for size in range(min(case.need, len(candidates)) + 1)
                for chosen in itertools.combinations(candidates, size)
            ]
        )
    room = {reviewer.id: reviewer.max_load - reviewer.load for reviewer in reviewers}
    best = None
    for choice in itertools.product(*options):
        pairs = [pair for chosen in choice for pair in chosen]
        taken = defaultdict(int)
        for _case_id, reviewer_id in pairs:
            taken[reviewer_id] += 1
        if any(count > room[reviewer_id] for reviewer_id, count in taken.items()):
            continue
        value = objective(cases, reviewers, pairs, preferences)
        if best is None or value < best:
            best = value
    return best


def search_size(cases, reviewers) -> int:
    sizes = []
    for case in cases:
        count = sum(1 for reviewer in reviewers if eligible(case, reviewer))
        sizes.append(sum(math.comb(count, size) for size in range(min(case.need, count) + 1)))
    return math.prod(sizes)


@pytest.mark.parametrize("seed", range(60))
def test_the_solver_finds_the_optimum_of_an_exhaustive_search(seed):
    rng = random.Random(seed)
    while True:
        instance = random_instance(rng, cases=rng.randint(1, 5), reviewers=rng.randint(1, 4))
        if search_size(*instance[:2]) <= 40_000:
            break
    cases, reviewers, preferences = instance
    solution = solve(cases, reviewers, preferences)
    assert_feasible(cases, reviewers, solution)
    assert solution.cost == objective(cases, reviewers, solution.pairs, preferences)
    assert solution.cost == exhaustive_optimum(cases, reviewers, preferences)


def test_the_optimum_spreads_the_load_and_honours_preferences():
    # Four cases of one panel need one reviewer each; one of the three reviewers already has three cases.
    cases = [CaseNeed(id=number, panel="p", agency=number, need=1) for number in range(1, 5)]
    busy = ReviewerLoad(id=1, panels=frozenset({"p"}), conflicts=frozenset(), load=3, max_load=60)
    idle = ReviewerLoad(id=2, panels=frozenset({"p"}), conflicts=frozenset(), load=0, max_load=60)
    keen = ReviewerLoad(id=3, panels=frozenset({"p"}), conflicts=frozenset(), load=0, max_load=60)
    solution = solve(cases, [busy, idle, keen])
    loads = defaultdict(int)
    for _case, reviewer_id in solution.pairs:
        loads[reviewer_id] += 1
    # The busy reviewer's three earlier cases count: the four new ones go to the other two.
    assert loads == {2: 2, 3: 2}
    # With equal loads either way, the keen reviewer gets the cases they asked for.
    preferences = {(1, 2): PREFERENCE_COSTS["keen"], (2, 2): PREFERENCE_COSTS["keen"]}
    preferences |= {(3, 2): PREFERENCE_COSTS["rather_not"], (4, 2): PREFERENCE_COSTS["rather_not"]}
    solution = solve(cases, [busy, idle, keen], preferences)
    assert [pair for pair in solution.pairs if pair[1] == 2] == [(1, 2), (2, 2)]


def test_a_shortage_falls_on_as_few_cases_as_it_can():
    # Three alike cases need three reviewers each, the panel of three can give six reviews in all: two cases
    # are filled and the last one waits, rather than three cases with two reviewers each.
    cases = [CaseNeed(id=number, panel="p", agency=9, need=3) for number in range(1, 4)]
    reviewers = [
        ReviewerLoad(id=number, panels=frozenset({"p"}), conflicts=frozenset(), load=0, max_load=2)
        for number in range(1, 4)
    ]
    solution = solve(cases, reviewers)
    assert solution.short == {3: 3}
    assert solution.cost[0] == 3


def test_nothing_to_do():
    assert solve([], []).pairs == []
    reviewer = ReviewerLoad(id=1, panels=frozenset({"p"}), conflicts=frozenset(), load=0, max_load=5)
    case = CaseNeed(id=1, panel="q", agency=1, need=2)
    solution = solve([case], [reviewer])
    assert (solution.pairs, solution.short) == ([], {1: 2})
    with pytest.raises(ValueError):
        solve([case], [reviewer], {(1, 1): -1})


def test_load_cost_is_the_sum_of_the_marginal_loads():
    assert load_cost(0, 3) == 1 + 2 + 3
    assert load_cost(2, 4) == 3 + 4
    assert load_cost(5, 5) == 0


# --- invariants on larger instances ------------------------------------------------------------------------


def assert_feasible(cases, reviewers, solution):
    by_id = {reviewer.id: reviewer for reviewer in reviewers}
    assert len(set(solution.pairs)) == len(solution.pairs)
    taken = defaultdict(int)
    added = defaultdict(int)
    for case_id, reviewer_id in solution.pairs:
        case = next(case for case in cases if case.id == case_id)
        reviewer = by_id[reviewer_id]
        assert case.panel in reviewer.panels, "outside the reviewer's expertise"
        assert case.agency not in reviewer.conflicts, "a conflict of interest"
        assert reviewer_id not in case.already, "assigned twice"
        assert reviewer_id not in case.declined, "a conflict the reviewer declared"
        taken[case_id] += 1
        added[reviewer_id] += 1
    for reviewer in reviewers:
        assert added[reviewer.id] == 0 or reviewer.load + added[reviewer.id] <= reviewer.max_load
    for case in cases:
        assert taken[case.id] <= case.need
        assert solution.short.get(case.id, 0) == max(0, case.need - taken[case.id])


def augmenting_path_exists(cases, reviewers, solution) -> bool:
    """Whether one more review could be placed by moving new assignments along a chain (Berge: if none can,
    the number placed is the largest possible)."""
    by_case = {case.id: case for case in cases}
    room = {reviewer.id: reviewer.max_load - reviewer.load for reviewer in reviewers}
    on_case = defaultdict(set)
    new_cases_of = defaultdict(set)
    for case_id, reviewer_id in solution.pairs:
        on_case[case_id].add(reviewer_id)
        new_cases_of[reviewer_id].add(case_id)
        room[reviewer_id] -= 1
    queue = deque(case_id for case_id in solution.short)
    seen_cases, seen_reviewers = set(queue), set()
    while queue:
        case = by_case[queue.popleft()]
        for reviewer in reviewers:
            if (
                reviewer.id in seen_reviewers
                or reviewer.id in on_case[case.id]
                or not eligible(case, reviewer)
            ):
                continue
            if room[reviewer.id] > 0:
                return True
            seen_reviewers.add(reviewer.id)
            for other in new_cases_of[reviewer.id] - seen_cases:
                seen_cases.add(other)
                queue.append(other)
    return False


@st.composite
def instances(draw):
    seed = draw(st.integers(0, 2**32 - 1))
    size = draw(st.tuples(st.integers(1, 14), st.integers(1, 8), st.integers(1, 3), st.integers(1, 6)))
    cases, reviewers, panels, agencies = size
    return random_instance(
        random.Random(seed), cases=cases, reviewers=reviewers, panels=panels, agencies=agencies
    )


@settings(max_examples=150, deadline=None)
@given(instances())
def test_invariants(instance):
    cases, reviewers, preferences = instance
    solution = solve(cases, reviewers, preferences)
    # No conflict, nobody outside their panel or over their maximum, nobody twice on a case.
    assert_feasible(cases, reviewers, solution)
    # Every case that can be filled is filled: no chain of moves would place one more review.
    assert not augmenting_path_exists(cases, reviewers, solution)
    # Loads within one inside a panel whenever a move allows it: no new case of a reviewer could go to one
    # of the panel who has two cases fewer and may take it.
    loads = {reviewer.id: reviewer.load for reviewer in reviewers}
    for _case_id, reviewer_id in solution.pairs:
        loads[reviewer_id] += 1
    on_case = defaultdict(set)
    for case in cases:
        on_case[case.id] |= case.already
    for case_id, reviewer_id in solution.pairs:
        on_case[case_id].add(reviewer_id)
    by_case = {case.id: case for case in cases}
    for case_id, busy in solution.pairs:
        for idle in reviewers:
            if (
                eligible(by_case[case_id], idle)
                and idle.id not in on_case[case_id]
                and loads[idle.id] < idle.max_load
            ):
                assert loads[busy] - loads[idle.id] <= 1, "a move would even the loads"
    # The same instance in another order gives the same assignment.
    again = solve(list(reversed(cases)), list(reversed(reviewers)), preferences)
    assert again.pairs == solution.pairs


def test_a_panel_of_interchangeable_reviewers_ends_within_one_with_existing_loads():
    rng = random.Random(7)
    cases = [CaseNeed(id=number, panel="p", agency=rng.randrange(20), need=3) for number in range(1, 101)]
    reviewers = [
        ReviewerLoad(
            id=number, panels=frozenset({"p"}), conflicts=frozenset(), load=rng.randrange(10), max_load=60
        )
        for number in range(1, 14)
    ]
    solution = solve(cases, reviewers)
    loads = {reviewer.id: reviewer.load for reviewer in reviewers}
    for _case, reviewer_id in solution.pairs:
        loads[reviewer_id] += 1
    assert solution.short == {}
    assert max(loads.values()) - min(loads.values()) <= 1
