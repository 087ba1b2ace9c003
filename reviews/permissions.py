"""Who may do what in the review app: its permissions (django-rules), asked as `allowed(user, REVIEW)`, and the
predicate with which ReviewsConfig widens govcases' rule on case files to the case's assigned reviewers."""

import rules

from govcases.permissions import is_organiser, is_researcher, is_reviewer

from .enums import ReviewStatus


@rules.predicate
def is_assigned_reviewer(user, case) -> bool:
    """The user is one of the case's reviewers: they read its pictures and attachments to score it."""
    return case is not None and is_reviewer(user) and case.assignments.filter(reviewer=user).exists()


@rules.predicate
def is_assignment_reviewer(user, assignment) -> bool:
    return assignment is not None and is_reviewer(user) and assignment.reviewer_id == user.pk


@rules.predicate
def has_reviewed_case(user, case) -> bool:
    """The user submitted their own review of the case: only then do they read the others' (HotCRP's rule)."""
    return (
        case is not None
        and is_reviewer(user)
        and case.assignments.filter(reviewer=user, review__status=ReviewStatus.SUBMITTED).exists()
    )


@rules.predicate
def has_reviewed(user, case) -> bool:
    """The user was given the case to score (in whatever group they are now)."""
    return case is not None and case.assignments.filter(reviewer=user).exists()


REVIEW = "reviews.review"  # the reviewer site and its queue
SCORE = "reviews.score"  # with an assignment: its own reviewer

rules.add_perm(REVIEW, is_reviewer)
DISCUSS = "reviews.discuss"  # with a case: read its reviews and discussion, and take part
rules.add_perm(SCORE, is_assignment_reviewer)
rules.add_perm(DISCUSS, is_organiser | has_reviewed_case)

# With a case: verifying it (复核校验) is a second pair of eyes, never one of the case's own reviewers
# (govcases.permissions.VERIFY_CASES, without a case, opens the list of checks).
VERIFY_CASE = "reviews.verify_case"
rules.add_perm(VERIFY_CASE, (is_organiser | is_researcher) & ~has_reviewed)
