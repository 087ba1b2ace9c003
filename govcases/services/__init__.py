"""Everything that changes the state of agencies, rounds, cases and publications, by topic.

Only the transitions in `cases` write `Case.status`; only `rounds.round_phase_set` and
`publication.publication_create` write `Round.phase`. Every change is audited and its e-mails are queued
in the same transaction. Callers import from here.
"""

from ..exceptions import Refused
from .cases import (
    SUBMISSION_REQUIRED,
    TRANSITIONS,
    case_bulk_transition,
    case_check_transition,
    case_part_identifying_set,
    case_reopen,
    case_submit,
    case_transition,
    case_withdraw,
)
from .drafts import (
    CASE_FIELDS,
    case_attachment_add,
    case_attachment_remove,
    case_check_editable,
    case_create,
    case_image_add,
    case_image_move,
    case_image_remove,
    case_update,
)
from .people import (
    ROLE_LABELS,
    AgencyStaffBatch,
    InvitationBatch,
    account_active_set,
    account_change_record,
    account_invite,
    account_manage_check,
    account_update,
    agency_member_invite,
    invitation_resend,
    invitation_send,
    roles_grantable,
)
from .publication import publication_create
from .rounds import PHASE_ORDER, round_copy, round_phase_set, round_set_up, round_set_up_register
from .triage import triage_decide, triage_pass_many

__all__ = [
    "CASE_FIELDS",
    "PHASE_ORDER",
    "TRANSITIONS",
    "Refused",
    "SUBMISSION_REQUIRED",
    "ROLE_LABELS",
    "AgencyStaffBatch",
    "InvitationBatch",
    "account_active_set",
    "account_change_record",
    "account_invite",
    "account_manage_check",
    "account_update",
    "agency_member_invite",
    "invitation_resend",
    "invitation_send",
    "roles_grantable",
    "case_attachment_add",
    "case_part_identifying_set",
    "case_attachment_remove",
    "case_bulk_transition",
    "case_check_editable",
    "case_check_transition",
    "case_create",
    "case_image_add",
    "case_image_move",
    "case_image_remove",
    "case_reopen",
    "case_submit",
    "case_transition",
    "case_update",
    "case_withdraw",
    "publication_create",
    "round_copy",
    "round_phase_set",
    "round_set_up",
    "round_set_up_register",
    "triage_decide",
    "triage_pass_many",
]
