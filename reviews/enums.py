from django.db import models
from django.utils.translation import gettext_lazy as _

from govcases.enums import Phase


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


# A rubric is frozen once its round's review opens: reviewers score against it.
RUBRIC_FROZEN_PHASES = (Phase.REVIEW, Phase.SELECTION, Phase.PUBLISHED, Phase.ARCHIVED)
