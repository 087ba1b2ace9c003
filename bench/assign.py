"""Assignment of reviewers: the time and peak memory of the minimum-cost flow, on the demo round and at scale.

    .venv/bin/python bench/assign.py                       # the 509-case demo round, and 20 000 × 3 × 1 200
    .venv/bin/python bench/assign.py --service-cases 20000  # also assignment_generate on a demo round that size
    DATABASE_URL=postgres://govcases:govcases@127.0.0.1:5432/govcases .venv/bin/python bench/assign.py

Each measurement runs in a process of its own, so that its peak memory is its own:

- `demo`: builds the demo round in its own database (bench/output/assign-<cases>.sqlite3, or a PostgreSQL
  database `<name>_assign<cases>` that it drops and creates) and reports the demo's own timing of
  `assignment_generate` (reading the round, solving, writing the assignments); then reads the round's problem
  again as if nobody were assigned and times the solver alone.
  Then, in the demo's next round (in review), one reviewer gives a case back (`assignment_decline`): its
  time and queries, the replacement's proposal included.
- `memory`: a round of 20 000 cases (the 2024 round's mix of categories), 3 reviews each and 1 200 reviewers
  built in memory: 685 agencies in 31 provinces, one reviewer in six working for a local government (no case
  of their province), one in ten with a declared conflict, one in eight on two panels, one case in twenty
  with a reviewer already; no database.

Peak memory is the process's resident high-water mark (VmHWM) while solving, reset just before, minus the
resident size at the start: what the solver adds. It prints figures; it asserts nothing.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import time

from publish import OUTPUT, PROJECT_ROOT, fresh_django  # bench/ is on the path of a script run from it

sys.path.insert(0, str(PROJECT_ROOT))  # the solver in memory needs no Django
# The 2024 round's 509 recommended cases by category: the large round in memory has the same mix.
CATEGORY_SHARES = {"disclosure": 140, "service": 170, "interaction": 110, "platform": 89}


def resident_kib(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


class Peak:
    """The growth of resident memory over a block, from the kernel's high-water mark (Linux)."""

    def __enter__(self):
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")  # resets VmHWM to the current resident size
        self.start = resident_kib("VmRSS")
        self.started = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.started[0]
        self.cpu_seconds = time.process_time() - self.started[1]
        self.mib = (resident_kib("VmHWM") - self.start) / 1024


def solved(needs, reviewers, preferences=None) -> dict:
    from reviews import assignment_flow

    with Peak() as peak:
        solution = assignment_flow.solve(needs, reviewers, preferences)
    loads = {reviewer.id: reviewer.load for reviewer in reviewers}
    for _case, reviewer_id in solution.pairs:
        loads[reviewer_id] += 1
    return {
        "cases": len(needs),
        "reviewers": len(reviewers),
        "assignments": len(solution.pairs),
        "short": len(solution.short),
        "load": [min(loads.values()), max(loads.values())] if loads else [0, 0],
        # Each group of reviewers serving the same panels, with the lowest and highest load in it.
        "loads by panels": {
            "+".join(sorted(map(str, panels))): [min(group), max(group)]
            for panels, group in sorted(
                by_panels(reviewers, loads).items(), key=lambda item: sorted(map(str, item[0]))
            )
        },
        "seconds": round(peak.seconds, 2),
        "cpu_seconds": round(peak.cpu_seconds, 2),
        "peak_mib": round(peak.mib, 1),
    }


def by_panels(reviewers, loads) -> dict[frozenset, list[int]]:
    groups: dict[frozenset, list[int]] = {}
    for reviewer in reviewers:
        groups.setdefault(reviewer.panels, []).append(loads[reviewer.id])
    return groups


def memory_instance(cases: int, reviewers: int, reviews: int, seed: int):
    from reviews.assignment_flow import CaseNeed, ReviewerLoad

    rng = random.Random(seed)
    provinces = 31
    agency_province = {agency: rng.randrange(provinces) for agency in range(1, 686)}
    in_province: dict[int, set[int]] = {}
    for agency, province in agency_province.items():
        in_province.setdefault(province, set()).add(agency)
    counts = {code: cases * share // 509 for code, share in CATEGORY_SHARES.items()}
    counts["service"] += cases - sum(counts.values())
    panels = list(counts)
    members = []
    for code, count in counts.items():
        members += [code] * round(reviewers * count / cases)
    people = []
    for number, panel in enumerate(members[:reviewers], start=1):
        conflicts: set[int] = set()
        if rng.random() < 1 / 6:
            conflicts |= in_province[rng.randrange(provinces)]
        if rng.random() < 1 / 10:
            conflicts.add(rng.choice(list(agency_province)))
        both = {panel, rng.choice(panels)} if rng.random() < 1 / 8 else {panel}
        people.append(
            ReviewerLoad(
                id=number, panels=frozenset(both), conflicts=frozenset(conflicts), load=0, max_load=60
            )
        )
    needs = []
    loads = {person.id: 0 for person in people}
    number = 0
    for code, count in counts.items():
        panel = [person for person in people if code in person.panels]
        for _ in range(count):
            number += 1
            agency = rng.choice(list(agency_province))
            already = set()
            if rng.random() < 1 / 20:
                person = rng.choice(panel)
                if agency not in person.conflicts:
                    already.add(person.id)
                    loads[person.id] += 1
            needs.append(
                CaseNeed(
                    id=number,
                    panel=code,
                    agency=agency,
                    need=reviews - len(already),
                    already=frozenset(already),
                )
            )
    people = [
        ReviewerLoad(id=p.id, panels=p.panels, conflicts=p.conflicts, load=loads[p.id], max_load=p.max_load)
        for p in people
    ]
    return needs, people


def scenario_memory(args) -> dict:
    from reviews.assignment_flow import PREFERENCE_COSTS

    needs, reviewers = memory_instance(args.cases_in_memory, args.reviewers, args.reviews, args.seed)
    name = f"{args.cases_in_memory} cases × {args.reviews} × {args.reviewers} reviewers, in memory"
    preferences = {}
    if args.bids:
        # Each reviewer marks `bids` cases of their panels: most cases then have choices of their own, and
        # the cases no longer share nodes of the flow.
        rng = random.Random(args.seed + 1)
        for reviewer in reviewers:
            panel = [need for need in needs if need.panel in reviewer.panels]
            for need in rng.sample(panel, min(args.bids, len(panel))):
                preferences[need.id, reviewer.id] = rng.choice(list(PREFERENCE_COSTS.values()))
        name += f", {args.bids} bids per reviewer"
    return {"name": name} | solved(needs, reviewers, preferences)


def scenario_demo(args) -> list[dict]:
    import dataclasses

    fresh_django(args.database_url, args.cases, "assign")
    from django.db import connection
    from django.test.utils import override_settings

    from demo import load
    from govcases.models import Category, Round
    from reviews.assignment_flow import CaseNeed
    from reviews.services.assignment import assignment_problem

    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        result = load.demo_load(
            cases=None if args.cases == 509 else args.cases, seed=args.seed, publish=False, current="review"
        )
    wall, cpu = next((wall, cpu) for stage, wall, cpu in result.stages if stage == "assignment")
    round = Round.objects.get(pk=result.round.pk)
    started = time.perf_counter()
    problem = assignment_problem(round=round)
    read = time.perf_counter() - started
    # The same round as if nobody were assigned yet: every case needs all its reviewers.
    needs = [
        CaseNeed(id=case.pk, panel=case.category_id, agency=case.agency_id, need=round.reviews_per_case)
        for case in problem.cases
        if case.category_id
    ]
    codes = dict(Category.objects.values_list("pk", "code"))
    needs = [dataclasses.replace(need, panel=codes[need.panel]) for need in needs]
    reviewers = [
        dataclasses.replace(reviewer, load=0, panels=frozenset(codes[pk] for pk in reviewer.panels))
        for reviewer in problem.reviewers
    ]
    service = {
        "name": f"assignment_generate, demo round of {len(problem.cases)} cases ({connection.vendor})",
        "seconds": round_to(wall),
        "cpu_seconds": round_to(cpu),
        "assignments": sum(len(reviewers) for reviewers in problem.assigned.values()),
    }
    alone = {"name": f"solver alone, the same round (reading it: {read:.2f} s)"} | solved(needs, reviewers)
    return [service, alone, declined_once(Round.objects.get(year=round.year + 1))]


def declined_once(round) -> dict:
    """What a reviewer waits for when they give a case back: the assignment goes, the same solver proposes a
    replacement from the whole round's problem, the organisers' e-mails are written to the outbox."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reviews.enums import ReviewStatus
    from reviews.models import Assignment
    from reviews.services import assignment_decline

    assignment = (
        Assignment.objects.filter(case__round=round)
        .exclude(review__status=ReviewStatus.SUBMITTED)
        .select_related("reviewer")
        .order_by("pk")
        .first()
    )
    connection.queries_log.clear()  # full after the demo's load: the count below would read 0
    started = time.perf_counter(), time.process_time()
    with CaptureQueriesContext(connection) as queries:
        recusal = assignment_decline(assignment=assignment, by=assignment.reviewer, reason="bench")
    return {
        "name": f"a case given back: assignment_decline with its proposed replacement, {round.year} round "
        f"in review ({round.cases.count()} cases)",
        "seconds": round_to(time.perf_counter() - started[0]),
        "cpu_seconds": round_to(time.process_time() - started[1]),
        "queries": len(queries),
        "replacement_proposed": recusal.proposed_id is not None,
    }


def round_to(value: float) -> float:
    return round(value, 2)


def run_child(*extra: str) -> list[dict]:
    command = [sys.executable, __file__, *extra]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"{' '.join(extra)} failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--service-cases", type=int, default=None, help="also a demo round of this size")
    parser.add_argument("--cases-in-memory", type=int, default=20_000)
    parser.add_argument("--reviewers", type=int, default=1_200)
    parser.add_argument("--reviews", type=int, default=3)
    parser.add_argument("--bids", type=int, default=20, help="bids per reviewer in a second in-memory run")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--scenario", choices=["demo", "memory"], help=argparse.SUPPRESS)
    parser.add_argument("--cases", type=int, default=509, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.scenario == "memory":
        print(json.dumps([scenario_memory(args)]))
        return
    if args.scenario == "demo":
        print(json.dumps(scenario_demo(args)))
        return
    OUTPUT.mkdir(parents=True, exist_ok=True)
    common = ["--seed", str(args.seed)] + (["--database-url", args.database_url] if args.database_url else [])
    rows = run_child("--scenario", "demo", "--cases", "509", *common)
    in_memory = ["--scenario", "memory", "--cases-in-memory", str(args.cases_in_memory)]
    in_memory += ["--reviewers", str(args.reviewers), "--reviews", str(args.reviews), *common]
    for bids in sorted({0, args.bids}):
        rows += run_child(*in_memory, "--bids", str(bids))
    if args.service_cases:
        rows += run_child("--scenario", "demo", "--cases", str(args.service_cases), *common)
    for row in rows:
        print(row.pop("name"))
        print("   " + ", ".join(f"{key.replace('_', ' ')}: {value}" for key, value in row.items()))


if __name__ == "__main__":
    main()
