"""Reads what the benchmark needs from a prepared database and prints it as one JSON object.

Run by bench/run.py in a child process with the benchmark's environment (DATABASE_URL, ...), so that the
benchmark itself never imports Django with the wrong settings. Not meant to be run by hand, though it may be:
`DATABASE_URL=sqlite:///bench/output/bench-509.sqlite3 .venv/bin/python bench/probe.py 2024`.
"""

import json
import os
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govcases.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402

from govcases.models import Case, Publication, PublishedCase, Round  # noqa: E402


def try_reverse(name: str, args: list | None = None) -> str | None:
    try:
        return reverse(name, args=args or [])
    except NoReverseMatch:
        return None


def admin_url_names() -> list[str]:
    """Every named URL of the two admin sites, so that run.py can say what exists when a board is missing."""
    from django.urls import get_resolver

    names = []
    for namespace in ("admin", "review"):
        try:
            resolver = get_resolver().namespace_dict[namespace][1]
        except KeyError:
            continue
        names.extend(f"{namespace}:{name}" for name in resolver.reverse_dict if isinstance(name, str))
    return sorted(names)


def phase_set(year: int, phase: str, saved: Path) -> dict:
    """Puts the benchmark's copy of a published round back into review or selection.

    The demo round is published, and the pages of the organisers and reviewers are used before that: a
    reviewer's queue lists only cases in review (measured as loaded, it would be an empty page) and the
    selection board shows its forms only in the selection phase. This writes the benchmark's own database
    directly (not through govcases.services, which rightly refuses to reopen a published round), with the
    statuses that the phase implies (cases in review, decisions staged), and keeps the original phase and
    statuses in `saved` for phase_restore().
    """
    from django.db import connection, transaction

    from govcases.enums import CaseStatus

    round_ = Round.objects.get(year=year)
    ranked = (CaseStatus.SELECTED, CaseStatus.NOT_SELECTED, CaseStatus.PUBLISHED)
    if not saved.exists():
        statuses = dict(Case.objects.filter(round=round_, status__in=ranked).values_list("pk", "status"))
        saved.write_text(json.dumps({"phase": round_.phase, "statuses": statuses}))
    with transaction.atomic():
        Round.objects.filter(pk=round_.pk).update(phase=phase)
        changed = Case.objects.filter(round=round_, status__in=ranked).update(status=CaseStatus.IN_REVIEW)
    if connection.vendor == "postgresql":
        # What the autovacuum daemon does within a minute of a change this large: with the statistics of a
        # published round (no case in review) PostgreSQL plans the queue's queries as if it were empty.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Case._meta.db_table}")
    return {"phase": phase, "cases_put_in_review": changed}


def phase_restore(year: int, saved: Path) -> dict:
    from django.db import transaction

    if not saved.exists():
        return {"restored_cases": 0}
    original = json.loads(saved.read_text())
    by_status: dict[str, list[int]] = {}
    for pk, status in original["statuses"].items():
        by_status.setdefault(status, []).append(int(pk))
    with transaction.atomic():
        Round.objects.filter(year=year).update(phase=original["phase"])
        for status, pks in by_status.items():
            for chunk in chunks(pks):
                Case.objects.filter(pk__in=chunk).update(status=status)
    saved.unlink()
    return {"restored_cases": len(original["statuses"])}


def chunks(items: list, size: int = 2000):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def main() -> None:
    year = int(sys.argv[1]) if len(sys.argv) > 1 else 2024
    if len(sys.argv) == 5 and sys.argv[2] == "--phase":  # YEAR --phase PHASE SAVED_FILE
        print(json.dumps(phase_set(year, sys.argv[3], Path(sys.argv[4]))))
        return
    if len(sys.argv) == 4 and sys.argv[2] == "--restore":  # YEAR --restore SAVED_FILE
        print(json.dumps(phase_restore(year, Path(sys.argv[3]))))
        return
    user_model = get_user_model()
    facts: dict = {"year": year}
    round_ = Round.objects.filter(year=year).first()
    facts["round_id"] = round_.pk if round_ else None
    facts["round_phase"] = round_.phase if round_ else None
    facts["cases"] = Case.objects.filter(round=round_).count() if round_ else 0

    try:
        from reviews.models import Assignment, Review

        assignments = Assignment.objects.filter(case__round=round_)
        busiest = (
            assignments.values("reviewer__username")
            .annotate(assigned=Count("id"))
            .order_by("-assigned", "reviewer__username")
            .first()
        )
        facts["assignments"] = assignments.count()
        facts["reviews"] = Review.objects.filter(assignment__case__round=round_).count()
        facts["reviewer"] = busiest["reviewer__username"] if busiest else None
        facts["reviewer_assignments"] = busiest["assigned"] if busiest else 0
    except Exception as error:  # noqa: BLE001 - the reviews schema may still be changing; report, go on
        facts["reviews_error"] = repr(error)

    organiser = (
        user_model.objects.filter(groups__name="organisers", is_active=True)
        .order_by("is_superuser", "username")
        .first()
    )
    facts["organiser"] = organiser.get_username() if organiser else None

    publication = Publication.objects.filter(round=round_).order_by("-version").first() if round_ else None
    facts["publication_version"] = publication.version if publication else None
    published = (
        PublishedCase.objects.filter(publication=publication).order_by("pk").first() if publication else None
    )
    facts["published_case_id"] = published.case_id if published else None

    admin_urls = {}
    for name in (
        "review:reviews_assignment_changelist",
        "admin:reviews_rankingboard_changelist",
        "admin:reviews_selectionboard_changelist",
        "admin:reviews_reviewprogress_changelist",
        "admin:govcases_case_changelist",
    ):
        admin_urls[name] = try_reverse(name)
    if facts["published_case_id"]:
        # A case with its images, attachments and history: the organiser's heaviest case page.
        admin_urls["admin:govcases_case_change"] = try_reverse(
            "admin:govcases_case_change", [facts["published_case_id"]]
        )
    if round_:
        for name in (
            "admin:reviews_rankingboard_change",
            "admin:reviews_selectionboard_change",
            "admin:reviews_reviewprogress_change",
        ):
            admin_urls[name] = try_reverse(name, [round_.pk])
    facts["admin_urls"] = admin_urls
    facts["admin_url_names"] = admin_url_names()
    print(json.dumps(facts, ensure_ascii=False))


if __name__ == "__main__":
    main()
