from django.db import models
from django.utils.translation import gettext_lazy as _

from govcases.enums import CaseStatus, Phase


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


# A rubric is frozen once its round's review opens: reviewers score against it.
RUBRIC_FROZEN_PHASES = (Phase.REVIEW, Phase.SELECTION, Phase.VERIFICATION, Phase.PUBLISHED, Phase.ARCHIVED)


class BidChoice(models.TextChoices):
    """What a reviewer says of a case before assignment: a preference, or a conflict nobody else can see."""

    KEEN = "keen", _("Keen")
    WILLING = "willing", _("Willing")
    RATHER_NOT = "rather_not", _("Rather not")
    CONFLICT = "conflict", _("Conflict of interest")


# Cases that take part in review: submitted ones can be assigned ahead of the review phase, so that
# reviewers can start on the first day (and bid on them before).
ASSIGNABLE_STATUSES = (CaseStatus.SUBMITTED, CaseStatus.IN_REVIEW)
# Assignments are made and changed, and reviewers bid and give cases back, only until the round's review ends.
ASSIGNMENT_PHASES = (Phase.SETUP, Phase.SUBMISSION, Phase.REVIEW)
