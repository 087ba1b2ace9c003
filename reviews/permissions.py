"""Who may do what in the review app (django-rules predicates), registered with govcases from ReviewsConfig."""

import rules

from govcases.permissions import is_reviewer


@rules.predicate
def is_assigned_reviewer(user, case) -> bool:
    """The user is one of the case's reviewers: they read its pictures and attachments to score it."""
    return case is not None and is_reviewer(user) and case.assignments.filter(reviewer=user).exists()
