"""Reads for the discussion of a case and for blind review (selectors), each in a constant number of queries.

A case's discussion is open once its reviewers disagree (the round's thresholds flag it), or once someone
has written in it or revised a review after it: it stays open when a revision brings the scores together,
until the organisers close it as settled (a DiscussionEvent; they may reopen it). A closed discussion is
read-only: its reviewers still read it, nobody writes in it.
Each reviewer reads it, with the other reviews, only after submitting their own (reviews.permissions.DISCUSS).
Reviewers appear to each other as “Reviewer A, B, C” (in the order they were assigned); the organisers see
their names. In a blind round a reviewer reads the case as `reviewer_case` gives it.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import BooleanField, Count, IntegerField, Prefetch, Value
from django.utils.translation import gettext as _

from govcases import blind
from govcases.enums import Phase
from govcases.models import Case, CaseAttachment, CaseImage
from govcases.notifications import person_name
from govcases.permissions import RUN_ROUND, allowed

from . import assignment_flow, scoring
from .conflicts import AgencyIndex
from .enums import BidChoice, ReviewStatus
from .models import (
    Assignment,
    Bid,
    Criterion,
    DiscussionComment,
    DiscussionEvent,
    Review,
    ReviewerProfile,
    ReviewRevision,
)

# Reviewers write in the discussion and revise their reviews while the round is in review or selection: the
# organisers close it by publishing the round (a revision then would change a published ranking).
DISCUSSION_PHASES = (Phase.REVIEW, Phase.SELECTION)

# --- blind review ----------------------------------------------------------------------------------------


@dataclass
class ReviewerCase:
    """A case as its reviewers read it: everything, or in a blind round without what identifies the agency."""

    case: Case
    blind: bool
    title: str
    summary: str
    description: str
    outcomes: str
    agency_name: str | None  # None: hidden
    service_url: str | None
    images: list[CaseImage]
    attachments: list[CaseAttachment]

    def redact(self, text: str) -> str:
        return redact_for(self.case, text) if self.blind else text


def redact_for(case: Case, text: str) -> str:
    return blind.redact(text, [case.agency.name, case.agency.display_name])


def for_reviewers(case: Case, text: str) -> str:
    """A text of the case (or about it) as its reviewers read it: in a blind round without the agency's name."""
    return redact_for(case, text) if case.round.blind_review else text


def reviewer_case(case: Case, *, hide: bool | None = None) -> ReviewerCase:
    """The case (with its round, agency, images and attachments already read) as its reviewers see it: what
    identifies the agency hidden if `hide` (by default, if the round's review is blind)."""
    if not (case.round.blind_review if hide is None else hide):
        return ReviewerCase(
            case=case,
            blind=False,
            title=case.title,
            summary=case.summary,
            description=case.description,
            outcomes=case.outcomes,
            agency_name=case.agency.name,
            service_url=case.service_url,
            images=list(case.images.all()),
            attachments=list(case.attachments.all()),
        )
    images = [image for image in case.images.all() if not image.identifying]
    attachments = [attachment for attachment in case.attachments.all() if not attachment.identifying]
    for image in images:
        image.caption = redact_for(case, image.caption)
    for attachment in attachments:
        attachment.name = redact_for(case, attachment.name)
    return ReviewerCase(
        case=case,
        blind=True,
        title=redact_for(case, case.title),
        summary=redact_for(case, case.summary),
        description=redact_for(case, case.description),
        outcomes=redact_for(case, case.outcomes),
        agency_name=None,
        service_url=None,
        images=images,
        attachments=attachments,
    )


def case_with_parts(case_id: int) -> Case:
    """A case with what its reviewers' pages show of it, in three queries."""
    return (
        Case.objects.select_related("round", "agency", "category")
        .prefetch_related(
            Prefetch("images", queryset=CaseImage.objects.order_by("position", "pk")),
            Prefetch("attachments", queryset=CaseAttachment.objects.order_by("pk")),
        )
        .get(pk=case_id)
    )


# --- which discussions are open --------------------------------------------------------------------------


def closed_by_latest_event(events) -> set[int]:
    """The cases whose latest closing or reopening (rows of case id, event id, whether it closed) closed
    their discussion: the latest event of a case decides."""
    latest: dict[int, tuple[int, bool]] = {}
    for case_id, event_id, closed in events:
        if event_id > latest.get(case_id, (0, False))[0]:
            latest[case_id] = (event_id, closed)
    return {case_id for case_id, (_event_id, closed) in latest.items() if closed}


def open_discussions(case_ids) -> set[int]:
    """Which of these cases have an open discussion, not closed by the organisers (two queries, however many
    cases)."""
    case_ids = set(case_ids)
    totals: dict[int, list[int]] = defaultdict(list)
    thresholds = {}
    for case_id, total, disagreement_range, disagreement_stdev in Review.objects.filter(
        assignment__case_id__in=case_ids, status=ReviewStatus.SUBMITTED, total__isnull=False
    ).values_list(
        "assignment__case_id",
        "total",
        "assignment__case__round__disagreement_range",
        "assignment__case__round__disagreement_stdev",
    ):
        totals[case_id].append(total)
        thresholds[case_id] = (float(disagreement_range), float(disagreement_stdev))
    flagged = {
        case_id
        for case_id, values in totals.items()
        if scoring.disagreement(
            values, range_threshold=thresholds[case_id][0], stdev_threshold=thresholds[case_id][1]
        )
    }
    # Commented on or revised since, and closed or reopened: one query for the three, each row naming its
    # case, and for an organiser's closing or reopening its id and which it was (the queue asks on every
    # page it shows: finding each case's latest event in SQL took as long as the rest of the page's reads).
    no_event = (Value(0, IntegerField()), Value(False, BooleanField()))
    commented = DiscussionComment.objects.filter(case_id__in=case_ids).values_list("case_id", *no_event)
    revised = ReviewRevision.objects.filter(review__assignment__case_id__in=case_ids).values_list(
        "review__assignment__case_id", *no_event
    )
    events = DiscussionEvent.objects.filter(case_id__in=case_ids).values_list("case_id", "pk", "closed")
    rows = list(commented.order_by().union(revised.order_by(), events.order_by()))
    opened = flagged | {case_id for case_id, event_id, _closed in rows if not event_id}
    return opened - closed_by_latest_event(row for row in rows if row[1])


def discussion_open(case: Case) -> bool:
    return case.pk in open_discussions([case.pk])


def discussion_closing(case: Case) -> DiscussionEvent | None:
    """The organisers' closing of the case's discussion (who, when, why), while it is closed (one query)."""
    event = DiscussionEvent.objects.filter(case=case).select_related("by").order_by("-pk").first()
    return event if event is not None and event.closed else None


def discussion_readable(case: Case) -> bool:
    """Whether the case has a discussion its reviewers may read: open, or closed by the organisers."""
    return discussion_open(case) or discussion_closing(case) is not None


def discussion_history(case: Case) -> list[DiscussionEvent]:
    """Every closing and reopening of the case's discussion, oldest first, for the organisers (one query)."""
    return list(DiscussionEvent.objects.filter(case=case).select_related("by").order_by("at", "pk"))


def closed_discussions(*, round_id: int) -> set[int]:
    """The cases of a round whose discussion the organisers closed, for the boards (one query)."""
    return closed_by_latest_event(
        DiscussionEvent.objects.filter(case__round_id=round_id).values_list("case_id", "pk", "closed")
    )


# --- the discussion page ---------------------------------------------------------------------------------


@dataclass
class ShownRevision:
    at: datetime
    by: str
    reason: str
    previous_total: int
    total: int
    previous_points: list[tuple[Criterion, int | None]]
    previous_comment: str


@dataclass
class ShownReview:
    label: str  # "Reviewer B" (to reviewers), or the reviewer's name (to organisers)
    own: bool
    status: str
    total: int | None
    points: list[tuple[Criterion, int | None]]
    comment: str
    submitted_at: datetime | None
    revisions: list[ShownRevision] = field(default_factory=list)


@dataclass
class ShownComment:
    author: str
    body: str
    at: datetime
    own: bool


@dataclass
class ShownClosing:
    by: str  # the organiser's name (to organisers), or “The organisers” (to reviewers)
    at: datetime
    reason: str


@dataclass
class Discussion:
    case: ReviewerCase
    criteria: list[Criterion]
    reviews: list[ShownReview]
    comments: list[ShownComment]
    own_review: Review | None  # the viewer's own, when they are one of the case's reviewers
    writable: bool  # the phase lets people write and revise, and the organisers have not closed it
    closing: ShownClosing | None = None  # the organisers' closing, while the discussion is closed
    in_phase: bool = True  # the round is in review or selection (the organisers may close or reopen)


def reviewer_letter(position: int) -> str:
    """“Reviewer A” for the first reviewer of a case, … “Reviewer Z”, then “Reviewer A2”."""
    letter = chr(ord("A") + position % 26) + (str(position // 26 + 1) if position >= 26 else "")
    return _("Reviewer %(letter)s") % {"letter": letter}


def discussion(*, case: Case, viewer: AbstractBaseUser) -> Discussion:
    """The discussion of a case as `viewer` reads it: the case (blind for reviewers of a blind round), every
    review with its scores and revisions, the comments and its closing. A constant number of queries (about ten)."""
    case = case_with_parts(case.pk)
    for_organisers = allowed(viewer, RUN_ROUND)
    shown_case = reviewer_case(case, hide=case.round.blind_review and not for_organisers)
    criteria = list(
        Criterion.objects.filter(round_id=case.round_id, category_id=case.category_id).order_by(
            "position", "pk"
        )
    )
    by_pk = {criterion.pk: criterion for criterion in criteria}
    assignments = list(
        Assignment.objects.filter(case=case)
        .select_related("reviewer", "review")
        .prefetch_related(
            Prefetch("review__scores"),
            Prefetch(
                "review__revisions", queryset=ReviewRevision.objects.select_related("by").order_by("at", "pk")
            ),
        )
        .order_by("pk")
    )
    labels = {}
    reviews, own_review = [], None
    for position, assignment in enumerate(assignments):
        own = assignment.reviewer_id == viewer.pk
        label = person_name(assignment.reviewer) if for_organisers else reviewer_letter(position)
        labels[assignment.reviewer_id] = label
        review = getattr(assignment, "review", None)
        if own:
            own_review = review
            label = _("%(label)s (you)") % {"label": label}
        if review is None or review.status != ReviewStatus.SUBMITTED:
            # Drafts are nobody's business but their author's.
            reviews.append(ShownReview(label, own, ReviewStatus.DRAFT, None, [], "", None))
            continue
        points = {score.criterion_id: score.points for score in review.scores.all()}
        reviews.append(
            ShownReview(
                label=label,
                own=own,
                status=review.status,
                total=review.total,
                points=[(criterion, points.get(criterion.pk)) for criterion in criteria],
                comment=shown_case.redact(review.comment),
                submitted_at=review.submitted_at,
                revisions=[
                    ShownRevision(
                        at=revision.at,
                        by=label,
                        reason=shown_case.redact(revision.reason),
                        previous_total=revision.previous_total,
                        total=revision.total,
                        previous_points=[
                            (by_pk[int(pk)], value)
                            for pk, value in revision.previous_points.items()
                            if int(pk) in by_pk
                        ],
                        previous_comment=shown_case.redact(revision.previous_comment),
                    )
                    for revision in review.revisions.all()
                ],
            )
        )
    comments = [
        ShownComment(
            author=labels.get(comment.author_id)
            or (person_name(comment.author) if for_organisers and comment.author else _("The organisers")),
            body=shown_case.redact(comment.body),
            at=comment.at,
            own=comment.author_id == viewer.pk,
        )
        for comment in DiscussionComment.objects.filter(case=case)
        .select_related("author")
        .order_by("at", "pk")
    ]
    closing = discussion_closing(case)
    if closing is not None:
        closing = ShownClosing(
            by=person_name(closing.by) if for_organisers and closing.by else _("The organisers"),
            at=closing.at,
            reason=shown_case.redact(closing.reason),
        )
    in_phase = case.round.phase in DISCUSSION_PHASES
    return Discussion(
        case=shown_case,
        criteria=criteria,
        reviews=reviews,
        comments=comments,
        own_review=own_review,
        writable=in_phase and closing is None,
        closing=closing,
        in_phase=in_phase,
    )


# --- one more reviewer -----------------------------------------------------------------------------------


@dataclass
class Candidate:
    """A reviewer who may take one more case: on its panel, without a conflict, with room in their load."""

    user: AbstractBaseUser
    name: str
    affiliation: str
    load: int  # cases assigned in the round
    max_load: int
    bid: str  # what they said of the case before assignment, in words, or ""
    cost: int  # the solver's cost of the pair (their preference)


def extra_reviewer_candidates(*, case: Case) -> list[Candidate]:
    """Who may review `case` in addition to its reviewers, in the order the solver would prefer them: by their
    stated preference, then the lightest load. Seven queries, however many reviewers."""
    index = AgencyIndex.load()
    assigned = set(Assignment.objects.filter(case=case).values_list("reviewer_id", flat=True))
    loads = dict(
        Assignment.objects.filter(case__round_id=case.round_id)
        .values_list("reviewer_id")
        .annotate(count=Count("pk"))
        .order_by()
    )
    bids = dict(Bid.objects.filter(case=case).values_list("reviewer_id", "choice"))
    profiles = (
        ReviewerProfile.objects.filter(
            user__is_active=True, user__groups__name="reviewers", categories=case.category_id
        )
        .exclude(user_id__in=assigned)
        .select_related("user", "affiliation_agency")
        .prefetch_related("declared_conflicts")
        .distinct()
    )
    candidates = []
    for profile in profiles:
        conflicts = index.conflicts(
            affiliation_id=profile.affiliation_agency_id,
            declared={agency.pk for agency in profile.declared_conflicts.all()},
        )
        choice = bids.get(profile.user_id)
        load = loads.get(profile.user_id, 0)
        if case.agency_id in conflicts or choice == BidChoice.CONFLICT or load >= profile.max_load:
            continue
        candidates.append(
            Candidate(
                user=profile.user,
                name=person_name(profile.user),
                affiliation=profile.affiliation,
                load=load,
                max_load=profile.max_load,
                bid=BidChoice(choice).label if choice else "",
                cost=assignment_flow.PREFERENCE_COSTS.get(choice, assignment_flow.DEFAULT_PREFERENCE_COST),
            )
        )
    candidates.sort(key=lambda candidate: (candidate.cost, candidate.load, candidate.user.get_username()))
    return candidates


def case_short_and_flagged(case: Case) -> tuple[bool, bool]:
    """Whether the case has fewer submitted reviews than the round asks for, and whether they disagree: the
    ranking board offers one more reviewer for either (for a disagreement, while its discussion is not closed)."""
    totals = list(
        Review.objects.filter(
            assignment__case=case, status=ReviewStatus.SUBMITTED, total__isnull=False
        ).values_list("total", flat=True)
    )
    return len(totals) < case.round.reviews_per_case, scoring.disagreement(
        totals,
        range_threshold=float(case.round.disagreement_range),
        stdev_threshold=float(case.round.disagreement_stdev),
    )
