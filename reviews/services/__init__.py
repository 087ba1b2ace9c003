"""Everything that changes reviewers' work and the selection, by topic: `assignment`, `bidding` and `recusal`
(the reviewers' own say before and after it), `reviews` (scoring, reopening, reminders), `discussion`
(comments, revised reviews, closing and reopening, one more reviewer), `rubrics` and `selection` (staged decisions under quotas,
publication). Callers
import from here; the reads these share with pages (the rubric, the reminders' preview, the quotas' state)
are in reviews.selectors.

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
from .bidding import bid_set, bids_save, round_bidding_set
from .discussion import (
    discussion_close,
    discussion_comment_post,
    discussion_reopen,
    review_revise,
    reviewer_add,
)
from .recusal import ProposalOutdated, assignment_decline, recusal_propose, recusal_replace
from .reviewers import ReviewerBatch, reviewer_invite, reviewer_profile_check, reviewer_profile_update
from .reviews import (
    ReviewSheet,
    review_bulk_submit,
    review_check_submittable,
    review_reminders_send,
    review_reopen,
    review_save,
    review_submit,
)
from .rubrics import DEFAULT_RUBRIC, CriterionLine, rubric_save, rubric_set_up
from .selection import (
    Proposal,
    round_publish,
    selection_decide,
    selection_propose,
)
from .verification import verification_record

__all__ = [
    "ASSIGNABLE_STATUSES",
    "AssignmentReport",
    "ProposalOutdated",
    "CriterionLine",
    "DEFAULT_RUBRIC",
    "Proposal",
    "assignment_add",
    "assignment_check",
    "assignment_decline",
    "assignment_generate",
    "assignment_remove",
    "bid_set",
    "bids_save",
    "conflict_reason",
    "discussion_close",
    "discussion_comment_post",
    "discussion_reopen",
    "recusal_propose",
    "recusal_replace",
    "reviewer_conflicts",
    "ReviewSheet",
    "review_bulk_submit",
    "review_check_submittable",
    "review_reminders_send",
    "review_reopen",
    "review_revise",
    "reviewer_add",
    "review_save",
    "review_submit",
    "ReviewerBatch",
    "reviewer_invite",
    "reviewer_profile_check",
    "reviewer_profile_update",
    "round_bidding_set",
    "round_publish",
    "rubric_save",
    "rubric_set_up",
    "selection_decide",
    "selection_propose",
    "verification_record",
]
