"""Everything that changes reviewers' work and the selection, by topic: `assignment`, `reviews` (scoring,
reopening, reminders) and `selection` (staged decisions under quotas, publication). Callers import from here.

Keyword-only, typed functions named <entity>_<verb>. Rules are enforced here and refused with
govcases.exceptions.Refused (a message in the user's language); forms only check the shape of the input.
"""

from .assignment import (
    ASSIGNABLE_STATUSES,
    AssignmentReport,
    assignment_add,
    assignment_check,
    assignment_generate,
    assignment_remove,
    conflict_reason,
    reviewer_conflicts,
)
from .reviews import (
    Reminder,
    person_name,
    review_reminders,
    review_reminders_send,
    review_reopen,
    review_save,
    review_submit,
    rubric,
)
from .selection import (
    SELECTABLE,
    Proposal,
    QuotaState,
    quota_states,
    round_publish,
    selection_decide,
    selection_propose,
)

__all__ = [
    "ASSIGNABLE_STATUSES",
    "SELECTABLE",
    "AssignmentReport",
    "Proposal",
    "QuotaState",
    "Reminder",
    "assignment_add",
    "assignment_check",
    "assignment_generate",
    "assignment_remove",
    "conflict_reason",
    "person_name",
    "quota_states",
    "reviewer_conflicts",
    "review_reminders",
    "review_reminders_send",
    "review_reopen",
    "review_save",
    "review_submit",
    "round_publish",
    "rubric",
    "selection_decide",
    "selection_propose",
]
