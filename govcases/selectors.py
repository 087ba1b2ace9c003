"""Reads for pages: the public site's and the agency portal's.

The public site reads only publications (frozen snapshots), never live cases, so nothing that was not
published (contacts, reviewers, scores, unselected cases) can reach a public page. A publication never changes
once written, so its cases are cached under a key that names the publication.

The portal reads an officer's own agency's live cases, and shows outcomes only once the round is published.
"""

from dataclasses import dataclass

from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse

from . import blind
from .enums import LEVEL_ORDER, CaseStatus, Level, Phase
from .models import (
    Agency,
    AgencyMember,
    Case,
    CaseAttachment,
    CaseFeedback,
    CaseImage,
    CaseTransition,
    Category,
    Publication,
    PublishedCase,
    Round,
    TriageDecision,
    level_order,
)
from .similarity import Candidate

CACHE_SECONDS = 60 * 60


def _latest_versions() -> QuerySet[Publication]:
    newer = Publication.objects.filter(round=OuterRef("round"), version__gt=OuterRef("version"))
    return Publication.objects.filter(~Exists(newer))


def published_rounds() -> list[Publication]:
    """The latest publication of every round that has one, newest year first."""
    return list(_latest_versions().select_related("round").order_by("-round__year"))


def publication_get(*, year: int | None = None, version: int | None = None) -> Publication:
    """A round's publication (its latest version unless one is asked for); the newest round without a year."""
    publications = Publication.objects.select_related("round")
    if year is None:
        publication = publications.order_by("-round__year", "-version").first()
    elif version is None:
        publication = publications.filter(round__year=year).order_by("-version").first()
    else:
        publication = publications.filter(round__year=year, version=version).first()
    if publication is None:
        raise Http404("No publication")
    return publication


def publication_versions(*, publication: Publication) -> list[Publication]:
    return list(Publication.objects.filter(round_id=publication.round_id).order_by("version"))


def _cache_key(publication: Publication, what: str) -> str:
    # The timestamp makes the key unique even where a database reuses the id of a rolled-back row.
    return f"public:{publication.pk}:{publication.published_at.timestamp()}:{what}"


def with_image_urls(published_case: PublishedCase) -> PublishedCase:
    """Adds `gallery` (image URLs with captions) and `thumbnail_url` to a published case."""
    published_case.gallery = [
        {
            "url": default_storage.url(image["image"]),
            "thumbnail_url": default_storage.url(image["thumbnail"] or image["image"]),
            "width": image.get("width") or None,
            "height": image.get("height") or None,
            "caption": image.get("caption", ""),
        }
        for image in published_case.images
    ]
    published_case.thumbnail_url = (
        published_case.gallery[0]["thumbnail_url"] if published_case.gallery else ""
    )
    return published_case


def _in_report_order(cases: QuerySet[PublishedCase]) -> QuerySet[PublishedCase]:
    return cases.alias(level_rank=level_order()).order_by("category__position", "level_rank", "pinyin", "pk")


def publication_cases(*, publication: Publication) -> list[PublishedCase]:
    """A publication's cases by category, then level, then Hanyu Pinyin of the agency, as the report lists them."""

    def read():
        cases = _in_report_order(
            PublishedCase.objects.filter(publication=publication).select_related("category")
        )
        return [with_image_urls(case) for case in cases]

    return cache.get_or_set(_cache_key(publication, "cases"), read, CACHE_SECONDS)


@dataclass
class CategoryGroup:
    category: Category
    seats: int | None
    cases: list[PublishedCase]


def publication_groups(*, publication: Publication) -> list[CategoryGroup]:
    """The publication's cases grouped by category, with each category's quota as published, in category
    order."""

    def read():
        published = publication.counts.get("categories", {})
        categories = Category.objects.filter(code__in=published).order_by("position", "pk")
        return {
            "seats": {category.pk: published[category.code].get("seats") for category in categories},
            "categories": list(categories),
        }

    frame = cache.get_or_set(_cache_key(publication, "categories"), read, CACHE_SECONDS)
    cases = publication_cases(publication=publication)
    groups = [
        CategoryGroup(
            category=category,
            seats=frame["seats"].get(category.pk),
            cases=[case for case in cases if case.category_id == category.pk],
        )
        for category in frame["categories"]
    ]
    known = {category.pk for category in frame["categories"]}
    for case in cases:
        # A category that lost its quota after publication still shows its published cases.
        if case.category_id not in known:
            known.add(case.category_id)
            groups.append(
                CategoryGroup(
                    category=case.category,
                    seats=None,
                    cases=[other for other in cases if other.category_id == case.category_id],
                )
            )
    return groups


def published_case_list() -> QuerySet[PublishedCase]:
    """Every case of the latest version of each published round, for the searchable list."""
    return (
        PublishedCase.objects.filter(publication__in=_latest_versions())
        .select_related("category", "publication__round")
        .alias(level_rank=level_order())
        .order_by("-publication__round__year", "category__position", "level_rank", "pinyin", "pk")
    )


def published_case_get(*, case_id: int) -> PublishedCase:
    """A case as the latest publication of its round shows it; 404 if that publication does not include it."""
    published_case = published_case_list().filter(case_id=case_id).first()
    if published_case is None:
        raise Http404("Not published")
    return with_image_urls(published_case)


def level_counts(counts: dict) -> list[tuple[str, dict]]:
    """The publication's counts by level, in report order."""
    levels = counts.get("levels", {})
    return [(level, levels[level]) for level in LEVEL_ORDER if level in levels]


def publications_stamp() -> str:
    """Changes whenever anything is published: a cached public page is good until then (one small query).

    Asked by every public page, in plain SQL: the ORM takes ten times longer to build this query than the
    database takes to answer it (0.26 ms against 0.02 ms), a third of serving a cached page.
    """
    table = connection.ops.quote_name(Publication._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*), MAX(id), MAX(published_at) FROM {table}")
        return ":".join(str(value) for value in cursor.fetchone())


# --- the agency portal ---------------------------------------------------------------------------------------

OUTCOME_PHASES = frozenset({Phase.PUBLISHED, Phase.ARCHIVED})
# A case screened out in triage has its outcome too: the agency learns it at publication, as the others.
OUTCOME_STATUSES = frozenset(
    {CaseStatus.SELECTED, CaseStatus.NOT_SELECTED, CaseStatus.PUBLISHED, CaseStatus.SCREENED_OUT}
)


def portal_outcome(case: Case) -> str | None:
    """The outcome the agency may know once the round is published: "selected", "not_selected" or
    "screened_out" (in triage); else None."""
    if case.round.phase not in OUTCOME_PHASES:
        return None
    if case.status in {CaseStatus.SELECTED, CaseStatus.PUBLISHED}:
        return "selected"
    if case.status in {CaseStatus.NOT_SELECTED, CaseStatus.SCREENED_OUT}:
        return case.status
    return None


def portal_history(case: Case, transitions: list[CaseTransition]) -> list[CaseTransition]:
    """The case's status changes as its agency may read them: an outcome only once published, and why a
    case was screened out only if the round shares the reason."""
    published = case.round.phase in OUTCOME_PHASES
    shown = []
    for transition in transitions:
        if transition.to_status in OUTCOME_STATUSES and not published:
            continue
        if transition.to_status == CaseStatus.SCREENED_OUT and not case.round.screening_reason_shared:
            transition.reason = ""
        shown.append(transition)
    return shown


def portal_feedback(case: Case) -> CaseFeedback | None:
    """The score band and comments the agency may read: only with an outcome, and if the round offers it."""
    if not (case.round.agency_feedback and portal_outcome(case)):
        return None
    return CaseFeedback.objects.filter(case=case).first()


def portal_status_label(case: Case) -> str:
    """The status as the agency may see it: selection decisions stay hidden until publication."""
    if case.status in OUTCOME_STATUSES and case.round.phase not in OUTCOME_PHASES:
        return CaseStatus.IN_REVIEW.label
    if portal_outcome(case) == "selected":
        return CaseStatus.SELECTED.label
    return CaseStatus(case.status).label


def portal_open_round() -> Round | None:
    return Round.objects.filter(phase=Phase.SUBMISSION).order_by("-year").first()


def portal_cases(*, agency: Agency) -> list[Case]:
    """The agency's cases of every round, newest first, each with the status the agency may see."""
    cases = list(
        Case.objects.filter(agency=agency)
        .select_related("round", "category")
        .order_by("-round__year", "-updated_at", "-pk")
    )
    for case in cases:
        case.portal_status = portal_status_label(case)
    return cases


def portal_case_get(*, agency_id: int, pk: int) -> Case:
    """One of the agency's own cases; another agency's case is a 404, as if it did not exist."""
    cases = Case.objects.select_related("round", "category", "agency")
    return get_object_or_404(cases, pk=pk, agency_id=agency_id)


def return_reason(case: Case, transitions=None) -> str:
    """Why the organisers returned the case, while it waits for the correction."""
    if case.status != CaseStatus.RETURNED:
        return ""
    transitions = case.transitions.all() if transitions is None else transitions
    returns = [t for t in transitions if t.to_status == CaseStatus.RETURNED]
    return returns[-1].reason if returns else ""


# --- rounds in the organisers' admin -------------------------------------------------------------------------


def round_steps_offered(*, round: Round) -> list[str]:
    """The phase changes the round's page offers: the next of the round's own stages (Round.phases).
    Publication, and taking a published round back for a correction, are offered on the selection board,
    which knows the staged decisions."""
    following = round.phase_after()
    return [] if following in {None, Phase.PUBLISHED} else [following]


# --- triage ------------------------------------------------------------------------------------------------

TRIAGE_PAGE_SIZE = 100
TRIAGE_STATES = ("waiting", "passed", "out")


@dataclass(frozen=True)
class TriageCount:
    category: Category
    submitted: int
    passed: int
    out: int

    @property
    def waiting(self) -> int:
        return self.submitted - self.passed - self.out


@dataclass
class TriageList:
    page: Page
    counts: list[TriageCount]
    category: str
    level: str
    state: str

    @property
    def waiting(self) -> int:
        return sum(count.waiting for count in self.counts)


def triage_scope(round: Round) -> Q:
    """The cases of a triage list: those waiting for it, and those triaged (whatever became of them since)."""
    return Q(round=round) & (Q(status=CaseStatus.SUBMITTED) | Q(triage__isnull=False))


def triage_cases(*, round: Round, category: str = "", level: str = "", state: str = "") -> QuerySet[Case]:
    """The round's submitted cases for triage, filtered by category code, agency level and triage state."""
    cases = Case.objects.filter(triage_scope(round))
    if category:
        cases = cases.filter(category__code=category)
    if level in Level.values:
        cases = cases.filter(agency__level=level)
    if state == "waiting":
        cases = cases.filter(status=CaseStatus.SUBMITTED, triage__isnull=True)
    elif state in {"passed", "out"}:
        cases = cases.filter(triage__passed=state == "passed")
    return cases


def triage_list(
    *, round: Round, category: str = "", level: str = "", state: str = "", page: int | str = 1
) -> TriageList:
    """One page of the triage list and the counts per category, in a constant number of queries: the counts,
    the page's size and its cases with their agency, category and decision."""
    cases = (
        triage_cases(round=round, category=category, level=level, state=state)
        .select_related("agency", "category", "triage")
        .only(
            "title", "reference", "status", "service_url", "summary", "round_id",
            "agency__display_name", "agency__level", "agency__province",
            "category__name", "category__code",
            "triage__passed", "triage__reason", "triage__case_id",
        )
        .alias(level_rank=level_order("agency__level"))
        .order_by("category__position", "level_rank", "agency__pinyin", "pk")
    )  # fmt: skip
    rows = (
        Case.objects.filter(triage_scope(round))
        .values("category")
        .annotate(
            submitted=Count("pk"),
            passed=Count("pk", filter=Q(triage__passed=True)),
            out=Count("pk", filter=Q(triage__passed=False)),
        )
    )
    by_category = {row["category"]: row for row in rows}
    categories = Category.objects.filter(quotas__round=round).order_by("position", "pk")
    counts = [
        TriageCount(
            category=each,
            submitted=by_category.get(each.pk, {}).get("submitted", 0),
            passed=by_category.get(each.pk, {}).get("passed", 0),
            out=by_category.get(each.pk, {}).get("out", 0),
        )
        for each in categories
    ]
    return TriageList(
        page=Paginator(cases, TRIAGE_PAGE_SIZE).get_page(page),
        counts=counts,
        category=category,
        level=level if level in Level.values else "",
        state=state if state in TRIAGE_STATES else "",
    )


def screening_reason(case: Case) -> str:
    """Why the case was screened out in triage, for its agency: once published, if the round shares it."""
    if portal_outcome(case) != CaseStatus.SCREENED_OUT or not case.round.screening_reason_shared:
        return ""
    return TriageDecision.objects.filter(case=case).values_list("reason", flat=True).first() or ""


# --- earlier selections ------------------------------------------------------------------------------------


def earlier_selected_cases(*, before_year: int) -> list[Candidate]:
    """Every case selected in a round before `before_year`, as its latest publication shows it (one
    query): what verification compares a case with (govcases.similarity)."""
    rows = (
        PublishedCase.objects.filter(publication__in=_latest_versions().filter(round__year__lt=before_year))
        .annotate(year=F("publication__round__year"), agency=F("case__agency_id"))
        .values_list("year", "title", "agency", "agency_name", "case_id")
    )
    return [
        Candidate(
            year=year,
            title=title,
            agency_id=agency,
            agency_name=name,
            url=reverse("public:case", args=[case_id]),
        )
        for year, title, agency, name, case_id in rows
    ]


# --- uploaded files ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseFile:
    """An uploaded file as the file view needs it: its case, whether the public may see it, and for an
    attachment the name the agency gave it (a download is saved under that name, not the generated one)."""

    case: Case
    public: bool
    download_name: str | None = None
    # Marked identifying in a blind round: its reviewers may not read it (govcases.blind).
    identifying: bool = False


def case_file_get(*, name: str) -> CaseFile | None:
    """The case a stored file (picture, thumbnail or attachment) belongs to; None for a name no case has."""
    image = CaseImage.objects.filter(Q(image=name) | Q(thumbnail=name)).select_related("case__round").first()
    part = image or CaseAttachment.objects.filter(file=name).select_related("case__round").first()
    if part is None:
        return None
    case = part.case
    return CaseFile(
        case=case,
        public=case.status == CaseStatus.PUBLISHED,
        download_name=None if image else part.name,
        identifying=blind.hidden_from_reviewers(
            blind_round=case.round.blind_review, identifying=part.identifying
        ),
    )


# --- the archive of published years -------------------------------------------------------------------------


@dataclass
class PublishedYear:
    """A published round as the archive lists it: its latest version's counts and how many versions it has."""

    latest: Publication
    versions: int
    selected: int


def publication_archive() -> list[PublishedYear]:
    """Every published round, newest year first (one query, whatever the number of years and versions)."""
    by_round: dict[int, list[Publication]] = {}
    for publication in Publication.objects.select_related("round").order_by("-round__year", "version"):
        by_round.setdefault(publication.round_id, []).append(publication)
    return [
        PublishedYear(
            latest=versions[-1],
            versions=len(versions),
            selected=sum(
                numbers.get("selected", 0) for numbers in versions[-1].counts.get("categories", {}).values()
            ),
        )
        for versions in by_round.values()
    ]


# What a correction can change in a published case, as the archive names it.
COMPARED_FIELDS = ("title", "agency_name", "category_id", "summary", "description", "outcomes", "service_url")


@dataclass
class VersionChange:
    """What one version of a round's publication changed against the version before it."""

    publication: Publication
    added: list[str]
    removed: list[str]
    edited: list[str]


def publication_changes(*, versions: list[Publication]) -> list[VersionChange]:
    """For every version after the first (of one round, in version order): the cases it added, removed and
    edited, by title. One query for all the versions' cases."""
    if len(versions) < 2:
        return []
    cases: dict[int, dict[int, tuple]] = {publication.pk: {} for publication in versions}
    rows = PublishedCase.objects.filter(publication__in=versions).values_list(
        "publication_id", "case_id", *COMPARED_FIELDS
    )
    for publication_id, case_id, *fields in rows:
        cases[publication_id][case_id] = tuple(fields)
    changes = []
    for before, after in zip(versions, versions[1:], strict=False):
        old, new = cases[before.pk], cases[after.pk]
        title = COMPARED_FIELDS.index("title")
        changes.append(
            VersionChange(
                publication=after,
                added=sorted(new[case][title] for case in new.keys() - old.keys()),
                removed=sorted(old[case][title] for case in old.keys() - new.keys()),
                edited=sorted(new[case][title] for case in new.keys() & old.keys() if new[case] != old[case]),
            )
        )
    return changes


def portal_colleagues(*, agency) -> list:
    """The officers of an agency, for its own portal: one query however many."""
    return list(
        AgencyMember.objects.filter(agency=agency)
        .select_related("user")
        .only(
            "user__username",
            "user__email",
            "user__first_name",
            "user__last_name",
            "user__last_login",
            "user__password",
            "user__is_active",
            "agency_id",
        )
        .order_by("user__username")
    )
