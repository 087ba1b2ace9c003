"""Disagreement handled: a case's discussion, reviews revised after it, its closing as settled by the
organisers (and reopening), and one more reviewer for a flagged or short case. Who may read and write is reviews.permissions.DISCUSS; which discussions are open and what each
participant reads is in reviews.discussion."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from govcases import notifications, outbox
from govcases.enums import CaseStatus, Phase
from govcases.exceptions import Refused
from govcases.models import Case
from govcases.permissions import RUN_ROUND, allowed

from .. import discussion as reads
from .. import scoring
from ..enums import ReviewStatus
from ..models import (
    Assignment,
    DiscussionComment,
    DiscussionEvent,
    Review,
    ReviewerAddition,
    ReviewRevision,
)
from ..permissions import DISCUSS, SCORE
from ..selectors import rubric
from .assignment import assignment_add, organiser_required
from .reviews import check_points, write_scores

COMMENT_LENGTH = 5000
REASON_LENGTH = 1000


def _check_in_phase(case: Case) -> None:
    if case.round.phase not in reads.DISCUSSION_PHASES:
        raise Refused(_("The discussion is closed: the round is no longer in review or selection."))
    if case.status != CaseStatus.IN_REVIEW:
        raise Refused(_("This case is no longer in review."))


def _check_writable(case: Case) -> None:
    _check_in_phase(case)
    if reads.discussion_closing(case) is not None:
        raise Refused(_("The organisers closed this discussion: it can be read, not changed."))


def discussion_comment_post(*, case: Case, by: AbstractBaseUser, body: str) -> DiscussionComment:
    """Adds a comment to the case's discussion and tells the other participants by e-mail.

    Reviewers write only in an open discussion (reviews.discussion) and after submitting their own review; the
    organisers may write in any case's discussion, which opens it for its reviewers.
    """
    body = body.strip()
    if not body:
        raise Refused(_("Write your comment first."))
    if len(body) > COMMENT_LENGTH:
        raise Refused(_("A comment has at most %(count)d characters.") % {"count": COMMENT_LENGTH})
    with transaction.atomic():
        case = Case.objects.select_for_update(of=("self",)).select_related("round", "agency").get(pk=case.pk)
        if by is None or not allowed(by, DISCUSS, case):
            raise Refused(_("Submit your own review of this case before reading or joining its discussion."))
        _check_writable(case)
        if not allowed(by, RUN_ROUND) and not reads.discussion_open(case):
            raise Refused(_("This case has no discussion: its reviewers agree."))
        comment = DiscussionComment.objects.create(case=case, author=by, body=body)
        _notify_participants(case, comment)
    return comment


def _notify_participants(case: Case, comment: DiscussionComment) -> None:
    """E-mails everyone else who takes part: the case's reviewers who may read the discussion (they submitted
    their review) and the organisers who wrote in it; each in their language, reviewers of a blind round
    without the agency's name."""
    reviewers = dict(
        Assignment.objects.filter(case=case, review__status=ReviewStatus.SUBMITTED).values_list(
            "reviewer_id", "pk"
        )
    )
    organisers = {
        author_id
        for author_id in DiscussionComment.objects.filter(case=case).values_list("author_id", flat=True)
        if author_id is not None and author_id not in reviewers
    }
    recipients = notifications.user_recipients((set(reviewers) | organisers) - {comment.author_id})
    users = get_user_model().objects.in_bulk(list(recipients))
    order = list(Assignment.objects.filter(case=case).order_by("pk").values_list("reviewer_id", flat=True))
    author = comment.author
    composer = notifications.Composer()
    messages = []
    for pk, recipient in sorted(recipients.items()):
        to_reviewer = pk in reviewers
        if to_reviewer:
            url = reverse("review:reviews_assignment_discussion", args=[reviewers[pk]])
            title, body = reads.for_reviewers(case, case.title), reads.for_reviewers(case, comment.body)
        else:
            url = reverse("admin:reviews_rankingboard_discussion", args=[case.pk])
            title, body = case.title, comment.body
        context = {
            "name": notifications.person_name(users[pk]),
            "case_title": title,
            "comment": body,
            "round": case.round,
            "url": settings.SITE_URL + url,
        }
        # The author's name as the recipient may know it, in the recipient's language.
        with translation.override(recipient.language):
            if author.pk in order and to_reviewer:
                context["author"] = reads.reviewer_letter(order.index(author.pk))
            elif author.pk in order or not to_reviewer:
                context["author"] = notifications.person_name(author)
            else:
                context["author"] = _("The organisers")
        messages.append(composer.message("discussion_comment", recipient, context, round=case.round))
    outbox.outbox_queue(messages=messages)


def _closing_reason(by: AbstractBaseUser | None, reason: str) -> str:
    if by is None or not allowed(by, RUN_ROUND):
        raise Refused(_("Only the organisers can close or reopen a discussion."))
    reason = reason.strip()
    if not reason:
        raise Refused(_("Say why: the reason is shown to the case's reviewers."))
    if len(reason) > REASON_LENGTH:
        raise Refused(_("A reason has at most %(count)d characters.") % {"count": REASON_LENGTH})
    return reason


def discussion_close(*, case: Case, by: AbstractBaseUser, reason: str) -> DiscussionEvent:
    """Closes an open discussion as settled: from now on nobody comments or revises a review through it, its
    reviewers still read it. Audited (which brings the boards up to date); its reviewers are told by e-mail."""
    reason = _closing_reason(by, reason)
    with transaction.atomic():
        case = Case.objects.select_for_update(of=("self",)).select_related("round", "agency").get(pk=case.pk)
        _check_in_phase(case)
        if reads.discussion_closing(case) is not None:
            raise Refused(_("This discussion is already closed."))
        if not reads.discussion_open(case):
            raise Refused(_("This case has no discussion to close: its reviewers agree and nobody wrote."))
        event = DiscussionEvent.objects.create(case=case, closed=True, by=by, reason=reason)
        _notify_closed(case, event)
    return event


def discussion_reopen(*, case: Case, by: AbstractBaseUser, reason: str) -> DiscussionEvent:
    """Opens a closed discussion again: its reviewers comment and revise as before. Audited."""
    reason = _closing_reason(by, reason)
    with transaction.atomic():
        case = Case.objects.select_for_update(of=("self",)).select_related("round").get(pk=case.pk)
        _check_in_phase(case)
        if reads.discussion_closing(case) is None:
            raise Refused(_("This discussion is not closed."))
        return DiscussionEvent.objects.create(case=case, closed=False, by=by, reason=reason)


def _notify_closed(case: Case, event: DiscussionEvent) -> None:
    """E-mails the case's reviewers who may read the discussion (they submitted), each in their language,
    reviewers of a blind round without the agency's name."""
    reviewers = dict(
        Assignment.objects.filter(case=case, review__status=ReviewStatus.SUBMITTED).values_list(
            "reviewer_id", "pk"
        )
    )
    recipients = notifications.user_recipients(set(reviewers))
    users = get_user_model().objects.in_bulk(list(recipients))
    composer = notifications.Composer()
    messages = [
        composer.message(
            "discussion_closed",
            recipient,
            {
                "name": notifications.person_name(users[pk]),
                "case_title": reads.for_reviewers(case, case.title),
                "reason": reads.for_reviewers(case, event.reason),
                "round": case.round,
                "url": settings.SITE_URL
                + reverse("review:reviews_assignment_discussion", args=[reviewers[pk]]),
            },
            round=case.round,
        )
        for pk, recipient in sorted(recipients.items())
    ]
    outbox.outbox_queue(messages=messages)


def review_revise(
    *, review: Review, by: AbstractBaseUser, points: dict[int, int | None], comment: str, reason: str
) -> Review:
    """Changes a submitted review after its case's discussion: every criterion scored again, with a reason.
    The earlier scores, total and comment are kept in a ReviewRevision (which the organisers read, and which
    brings the boards up to date)."""
    if not reason.strip():
        raise Refused(_("Say why you revise your review."))
    with transaction.atomic():
        review = (
            Review.objects.select_for_update(of=("self",))
            .select_related("assignment__case__round", "assignment__case__agency")
            .get(pk=review.pk)
        )
        case = review.assignment.case
        # The case's row too: a closing (which locks it) then waits for this revision, or this one sees it.
        Case.objects.select_for_update().filter(pk=case.pk).values_list("pk").get()
        if by is None or not allowed(by, SCORE, review.assignment):
            raise Refused(_("Only the reviewer who wrote a review can revise it."))
        if review.status != ReviewStatus.SUBMITTED:
            raise Refused(_("Only a submitted review can be revised; submit it first."))
        _check_writable(case)
        if not reads.discussion_open(case):
            raise Refused(_("A review can be revised only after its case is discussed."))
        criteria = {
            criterion.pk: criterion
            for criterion in rubric(round_id=case.round_id, category_id=case.category_id)
        }
        missing = [criterion.name for pk, criterion in criteria.items() if points.get(pk) is None]
        if missing:
            raise Refused(
                _("Score every criterion before submitting: %(missing)s.") % {"missing": "、".join(missing)}
            )
        check_points(criteria, points)
        before = {score.criterion_id: score.points for score in review.scores.all()}
        if before == {pk: points[pk] for pk in criteria} and review.comment == comment.strip():
            raise Refused(_("Nothing changed: the review is as it was."))
        revision = ReviewRevision(
            review=review,
            by=by,
            reason=reason.strip(),
            previous_points={str(pk): value for pk, value in before.items()},
            previous_total=review.total,
            previous_comment=review.comment,
        )
        scores = write_scores(review, criteria, {pk: points[pk] for pk in criteria}, comment)
        review.total = scoring.total(score.points for _criterion, score in scores)
        review.save(update_fields=["total", "updated_at"])
        revision.total = review.total
        revision.save()
    return review


def reviewer_add(*, case: Case, reviewer: AbstractBaseUser, by: AbstractBaseUser | None) -> Assignment:
    """Gives a flagged or short case one more reviewer (while the round is in review), audited, and tells the
    reviewer by e-mail; not a flagged case whose discussion was closed as settled, unless it is short. Refuses a reviewer who may not score the case, as assigning by hand does."""
    organiser_required(by)
    with transaction.atomic():
        case = Case.objects.select_related("round").get(pk=case.pk)
        if case.round.phase != Phase.REVIEW:
            raise Refused(_("A reviewer can be added only while the round is in review."))
        short, flagged = reads.case_short_and_flagged(case)
        if not (short or flagged):
            raise Refused(_("This case has all its reviews and they agree: it needs no more reviewers."))
        # A disagreement the organisers closed as settled wants no new voice; a review still missing does.
        if not short and reads.discussion_closing(case) is not None:
            raise Refused(
                _(
                    "The organisers closed this case's discussion as settled: reopen it before adding a reviewer."
                )
            )
        if reviewer.pk not in {candidate.user.pk for candidate in reads.extra_reviewer_candidates(case=case)}:
            raise Refused(
                _("%(reviewer)s may not review this case: not on its panel, in conflict, or fully loaded.")
                % {"reviewer": notifications.person_name(reviewer)}
            )
        assignment = assignment_add(reviewer=reviewer, case=case, by=by)
        ReviewerAddition.objects.create(assignment=assignment, by=by)
        _notify_added(case, assignment)
    return assignment


def _notify_added(case: Case, assignment: Assignment) -> None:
    recipient = notifications.user_recipients([assignment.reviewer_id]).get(assignment.reviewer_id)
    if recipient is None:
        return
    outbox.outbox_queue(
        messages=[
            notifications.Composer().message(
                "review_added",
                recipient,
                {
                    "reviewer": notifications.person_name(assignment.reviewer),
                    "case_title": reads.for_reviewers(case, case.title),
                    "round": case.round,
                    "deadline": case.round.review_deadline,
                    "url": settings.SITE_URL
                    + reverse("review:reviews_assignment_change", args=[assignment.pk]),
                },
                round=case.round,
            )
        ]
    )
