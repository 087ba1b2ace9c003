"""Reviews: the rubric, scoring drafts, submitting and reopening, and reminders of pending reviews."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from govcases import notifications, outbox
from govcases.enums import CaseStatus, Phase
from govcases.exceptions import Refused
from govcases.models import Round
from govcases.permissions import RUN_ROUND, allowed, preload_roles
from govcases.services.cases import BATCH

from .. import scoring
from ..enums import ReviewStatus
from ..models import Assignment, Criterion, Review, ReviewEvent, Score
from ..permissions import SCORE
from ..selectors import review_reminders, rubric
from .assignment import organiser_required

# --- reviews ---------------------------------------------------------------------------------------------


def _locked_assignment(assignment: Assignment, by: AbstractBaseUser) -> Assignment:
    assignment = (
        # Lock only the assignment: PostgreSQL refuses FOR UPDATE on the outer join to the nullable category.
        Assignment.objects.select_for_update(of=("self",))
        .select_related("case__round", "case__category")
        .get(pk=assignment.pk)
    )
    _check_scorable(assignment, by, phase=assignment.case.round.phase)
    return assignment


def _check_scorable(assignment: Assignment, by: AbstractBaseUser | None, *, phase: str) -> None:
    """Refuses a review of `assignment` by `by` unless they are its reviewer and the case is in review."""
    if by is None or not allowed(by, SCORE, assignment):
        raise Refused(_("Only the assigned reviewer can score this case."))
    if phase != Phase.REVIEW:
        raise Refused(_("Cases can be scored only while the round is in review."))
    if assignment.case.status != CaseStatus.IN_REVIEW:
        raise Refused(_("This case is no longer in review."))


def _check_points(criteria: dict[int, Criterion], points: dict[int, int | None]) -> None:
    """Refuses points for a criterion outside the rubric `criteria` (by id) or outside 0 to its maximum."""
    for criterion_id, value in points.items():
        criterion = criteria.get(int(criterion_id))
        if criterion is None:
            raise Refused(_("This criterion is not part of the case's rubric."))
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= criterion.max_points
        ):
            raise Refused(
                _("Points for “%(criterion)s” must be a whole number from 0 to %(max)d.")
                % {"criterion": criterion.name, "max": criterion.max_points}
            )


def _write_review(assignment: Assignment, points: dict[int, int | None], comment: str) -> tuple[Review, list]:
    criteria = {
        criterion.pk: criterion
        for criterion in rubric(round_id=assignment.case.round_id, category_id=assignment.case.category_id)
    }
    review, _created = Review.objects.get_or_create(assignment=assignment)
    if review.status == ReviewStatus.SUBMITTED:
        raise Refused(_("This review was submitted and is locked."))
    _check_points(criteria, points)
    existing = {score.criterion_id: score for score in review.scores.all()}
    for criterion_id, value in points.items():
        score = existing.get(int(criterion_id))
        if value is None:
            if score is not None:
                score.delete()
                del existing[int(criterion_id)]
        elif score is None:
            existing[int(criterion_id)] = Score.objects.create(
                review=review, criterion_id=int(criterion_id), points=value
            )
        elif score.points != value:
            score.points = value
            score.save(update_fields=["points"])
    review.comment = comment.strip()
    review.save(update_fields=["comment", "updated_at"])
    return review, [(criteria[pk], existing.get(pk)) for pk in criteria]


def review_save(
    *, assignment: Assignment, by: AbstractBaseUser, points: dict[int, int | None], comment: str = ""
) -> Review:
    """Saves the reviewer's draft: any criteria scored so far (None clears one) and the comment."""
    with transaction.atomic():
        assignment = _locked_assignment(assignment, by)
        review, _scores = _write_review(assignment, points, comment)
    return review


def review_submit(
    *, assignment: Assignment, by: AbstractBaseUser, points: dict[int, int | None], comment: str = ""
) -> Review:
    """Saves and submits: every criterion must be scored; the total is fixed and the review locked."""
    with transaction.atomic():
        assignment = _locked_assignment(assignment, by)
        review, scores = _write_review(assignment, points, comment)
        _check_submittable([(criterion, score is not None) for criterion, score in scores])
        review.total = scoring.total(score.points for _criterion, score in scores)
        review.status = ReviewStatus.SUBMITTED
        review.submitted_at = timezone.now()
        review.save(update_fields=["total", "status", "submitted_at", "updated_at"])
        ReviewEvent.objects.create(
            review=review, action=ReviewEvent.Action.SUBMITTED, by=by, at=review.submitted_at
        )
    return review


@dataclass(frozen=True)
class ReviewSheet:
    """One review as its reviewer submits it: the points per criterion (by id) and the overall comment."""

    assignment_id: int
    points: dict[int, int]
    comment: str = ""


def review_bulk_submit(*, sheets: Sequence[ReviewSheet], now=None) -> int:
    """Submits many reviews, each by its assignment's own reviewer, under the rules of `review_submit`, or none.

    For rounds of thousands of cases (the demo's large rounds): per batch of a thousand, one query reads the
    assignments and three write the reviews, their scores and their audit rows, instead of a dozen queries
    per review. Only for assignments without a review yet.
    """
    now = now or timezone.now()
    with transaction.atomic():
        criteria = _rubrics_of(sheets)
        for start in range(0, len(sheets), BATCH):
            _bulk_submit_batch(sheets[start : start + BATCH], criteria, now)
    return len(sheets)


def _rubrics_of(sheets: Sequence[ReviewSheet]) -> dict[tuple[int, int | None], list[Criterion]]:
    """Every rubric the sheets' cases are scored on, keyed by round and category, in order."""
    rounds = {
        round_id
        for ids in _batches([sheet.assignment_id for sheet in sheets])
        for round_id in Assignment.objects.filter(pk__in=ids).values_list("case__round_id", flat=True)
    }
    criteria: dict[tuple[int, int | None], list[Criterion]] = {}
    for criterion in Criterion.objects.filter(round_id__in=rounds).order_by("position", "pk"):
        criteria.setdefault((criterion.round_id, criterion.category_id), []).append(criterion)
    return criteria


def _batches(ids: list[int]):
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]


def _bulk_submit_batch(sheets: Sequence[ReviewSheet], criteria: dict, now) -> None:
    assignments = {
        assignment.pk: assignment
        for assignment in Assignment.objects.select_for_update(of=("self",))
        .select_related("case__round", "reviewer", "review")
        .only(
            "reviewer",
            "case__title",
            "case__status",
            "case__category",
            "case__round__phase",
            "review__status",
        )
        .filter(pk__in=[sheet.assignment_id for sheet in sheets])
    }
    preload_roles([assignment.reviewer for assignment in assignments.values()])
    reviews, events = [], []
    for sheet in sheets:
        assignment = assignments.get(sheet.assignment_id)
        try:
            if assignment is None:
                raise Refused(_("No such assignment."))
            _check_scorable(assignment, assignment.reviewer, phase=assignment.case.round.phase)
            if hasattr(assignment, "review"):
                raise Refused(_("This review was submitted and is locked."))
            rubric = criteria.get((assignment.case.round_id, assignment.case.category_id), [])
            _check_points({criterion.pk: criterion for criterion in rubric}, sheet.points)
            _check_submittable(
                [(criterion, sheet.points.get(criterion.pk) is not None) for criterion in rubric]
            )
        except Refused as refusal:
            raise Refused(
                _("“%(case)s”: %(reason)s")
                % {"case": assignment.case.title if assignment else sheet.assignment_id, "reason": refusal}
            ) from refusal
        review = Review(
            assignment=assignment,
            status=ReviewStatus.SUBMITTED,
            comment=sheet.comment.strip(),
            total=scoring.total(sheet.points.values()),
            submitted_at=now,
        )
        reviews.append(review)
        events.append(
            ReviewEvent(
                review=review, action=ReviewEvent.Action.SUBMITTED, by_id=assignment.reviewer_id, at=now
            )
        )
    Review.objects.bulk_create(reviews)
    Score.objects.bulk_create(
        (
            Score(review_id=review.pk, criterion_id=criterion_id, points=value)
            for review, sheet in zip(reviews, sheets, strict=True)
            for criterion_id, value in sheet.points.items()
        ),
        batch_size=BATCH,
    )
    ReviewEvent.objects.bulk_create(events)


def review_check_submittable(*, assignment: Assignment, points: dict[int, int | None]) -> None:
    """Raises Refused, saying why, unless these points could be submitted: what the confirmation page asks
    before it offers to submit (review_submit checks again, with the role and the phase)."""
    criteria = rubric(round_id=assignment.case.round_id, category_id=assignment.case.category_id)
    _check_submittable([(criterion, points.get(criterion.pk) is not None) for criterion in criteria])


def _check_submittable(scored: list[tuple[Criterion, bool]]) -> None:
    """Every criterion of a rubric of 100 points scored: (criterion, whether it has points) per line."""
    if not scored:
        raise Refused(_("The rubric of this category is empty; tell the organisers."))
    if sum(criterion.max_points for criterion, _scored in scored) != 100:
        raise Refused(_("The rubric of this category does not add up to 100 points; tell the organisers."))
    missing = [criterion.name for criterion, has_points in scored if not has_points]
    if missing:
        raise Refused(
            _("Score every criterion before submitting: %(missing)s.") % {"missing": "、".join(missing)}
        )


def review_reopen(*, review: Review, by: AbstractBaseUser, reason: str) -> Review:
    """Unlocks a submitted review so that its reviewer can change it; organisers only, with a reason."""
    if by is None or not allowed(by, RUN_ROUND):
        raise Refused(_("Only the organisers can do this."))
    if not reason.strip():
        raise Refused(_("Give a reason."))
    with transaction.atomic():
        review = (
            Review.objects.select_for_update().select_related("assignment__case__round").get(pk=review.pk)
        )
        if review.status != ReviewStatus.SUBMITTED:
            raise Refused(_("Only a submitted review can be reopened."))
        if review.assignment.case.round.phase != Phase.REVIEW:
            raise Refused(_("Reviews can be reopened only while the round is in review."))
        review.status = ReviewStatus.DRAFT
        review.total = None
        review.submitted_at = None
        review.save(update_fields=["status", "total", "submitted_at", "updated_at"])
        ReviewEvent.objects.create(
            review=review, action=ReviewEvent.Action.REOPENED, by=by, reason=reason.strip()
        )
    return review


# --- reminders -------------------------------------------------------------------------------------------


def review_reminders_send(*, round: Round, by: AbstractBaseUser | None) -> int:
    """E-mails every reviewer with pending reviews a list of them (key "review_reminder"); returns how many."""
    organiser_required(by)
    messages = review_reminder_messages(round=round)
    outbox.outbox_queue(messages=messages)
    return len(messages)


def review_reminder_messages(*, round: Round) -> list:
    """The reminder for each reviewer with pending reviews, rendered in their language, not yet queued."""
    url = settings.SITE_URL + reverse("review:index")
    reminders = review_reminders(round=round)
    recipients = notifications.user_recipients([reminder.reviewer.pk for reminder in reminders])
    composer = notifications.Composer()
    return [
        composer.message(
            "review_reminder",
            recipients[reminder.reviewer.pk],
            {
                "reviewer": reminder.name,
                "count": len(reminder.cases),
                "cases": "\n".join(f"- {case.title}" for case in reminder.cases),
                "url": url,
                "round": round,
                "deadline": round.review_deadline,
            },
            round=round,
        )
        for reminder in reminders
        if reminder.reviewer.pk in recipients
    ]
