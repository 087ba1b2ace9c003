from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from govcases.models import Agency, AuditEntry, Case, Category, Round

from .enums import BidChoice, ReviewStatus
from .shortage import Shortage


class ReviewerProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="reviewer_profile", verbose_name=_("user")
    )
    affiliation_agency = models.ForeignKey(
        Agency,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("affiliated agency"),
        help_text=_("For reviewers who work for a government agency."),
    )
    institution = models.CharField(_("institution"), max_length=100, blank=True)
    categories = models.ManyToManyField(
        Category, related_name="reviewers", verbose_name=_("categories reviewed")
    )
    declared_conflicts = models.ManyToManyField(
        Agency, blank=True, related_name="+", verbose_name=_("declared conflicts")
    )
    max_load = models.PositiveSmallIntegerField(_("maximum number of cases"), default=60)

    class Meta:
        verbose_name = _("reviewer")
        verbose_name_plural = _("reviewers")
        ordering = ["user__username"]

    def __str__(self):
        return self.user.get_full_name() or self.user.get_username()

    @property
    def affiliation(self) -> str:
        return self.affiliation_agency.name if self.affiliation_agency_id else self.institution


class Criterion(models.Model):
    """One line of a round's rubric for a category; a category's criteria sum to 100 points."""

    round = models.ForeignKey(Round, models.CASCADE, related_name="criteria", verbose_name=_("round"))
    category = models.ForeignKey(
        Category, models.PROTECT, related_name="criteria", verbose_name=_("category")
    )
    name = models.CharField(_("name"), max_length=40)
    description = models.TextField(_("what earns high and low points"))
    max_points = models.PositiveSmallIntegerField(_("maximum points"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("rubric criteria")
        ordering = ["round", "category__position", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "category", "name"], name="criterion_name_unique"),
            models.CheckConstraint(
                condition=models.Q(max_points__gte=1, max_points__lte=100), name="criterion_max_points_range"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.max_points})"


class Assignment(models.Model):
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="assignments", verbose_name=_("reviewer")
    )
    case = models.ForeignKey(Case, models.CASCADE, related_name="assignments", verbose_name=_("case"))
    created_at = models.DateTimeField(_("assigned at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["case_id", "reviewer_id"]
        constraints = [
            models.UniqueConstraint(fields=["reviewer", "case"], name="assignment_unique"),
        ]

    def __str__(self):
        return f"{self.reviewer} → {self.case}"


class AssignmentEvent(AuditEntry):
    """The trail of a round's assignments: every reviewer put on a case (by hand, by the solver, in place of one
    who gave it back) and taken off it (by an organiser, or given back by the reviewer), with whether a draft
    review was thrown away. The assignment itself is gone once removed: the case and reviewer are kept here."""

    class Action(models.TextChoices):
        ADDED = "added", _("Added by hand")
        GENERATED = "generated", _("Added by the solver")
        REPLACEMENT = "replacement", _("Added as a replacement")
        REMOVED = "removed", _("Removed")
        GIVEN_BACK = "given_back", _("Given back by the reviewer")

    REMOVALS = (Action.REMOVED, Action.GIVEN_BACK)

    case = models.ForeignKey(Case, models.CASCADE, related_name="assignment_events", verbose_name=_("case"))
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="assignment_events", verbose_name=_("reviewer")
    )
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    draft_discarded = models.BooleanField(_("draft review discarded"), default=False)

    class Meta(AuditEntry.Meta):
        verbose_name = _("assignment event")
        verbose_name_plural = _("assignment events")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__in=["added", "generated", "replacement", "removed", "given_back"]),
                name="assignment_event_action_known",
            ),
            models.CheckConstraint(
                condition=models.Q(draft_discarded=False) | models.Q(action__in=["removed", "given_back"]),
                name="assignment_event_draft_only_on_removal",
            ),
        ]
        indexes = [models.Index(fields=["case", "at"], name="assignment_event_case")]

    def __str__(self):
        return f"{self.case_id} / {self.reviewer_id}: {self.action}"

    @property
    def revised_round_id(self) -> int:
        return self.case.round_id


class Bid(models.Model):
    """A reviewer's say on one case before assignment: the solver weighs keen, willing and rather not as
    costs, and never gives a reviewer a case they declared a conflict with."""

    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="bids", verbose_name=_("reviewer")
    )
    case = models.ForeignKey(Case, models.CASCADE, related_name="bids", verbose_name=_("case"))
    choice = models.CharField(_("choice"), max_length=16, choices=BidChoice.choices)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("bid")
        verbose_name_plural = _("bids")
        ordering = ["case_id", "reviewer_id"]
        constraints = [
            models.UniqueConstraint(fields=["reviewer", "case"], name="bid_once_per_reviewer_case"),
            models.CheckConstraint(condition=models.Q(choice__in=BidChoice.values), name="bid_choice_known"),
        ]

    def __str__(self):
        return f"{self.reviewer} → {self.case}: {self.get_choice_display()}"


class Review(models.Model):
    assignment = models.OneToOneField(
        Assignment, models.CASCADE, related_name="review", verbose_name=_("assignment")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT, editable=False
    )
    comment = models.TextField(_("overall comment"), blank=True, max_length=5000)
    # The sum of the scores, written by review_submit: a submitted review is locked, so it cannot drift.
    total = models.PositiveSmallIntegerField(_("total"), null=True, blank=True, editable=False)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["assignment__case_id", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ReviewStatus.values), name="review_status_known"
            ),
            models.CheckConstraint(
                condition=models.Q(total__isnull=True) | models.Q(total__gte=0, total__lte=100),
                name="review_total_range",
            ),
        ]

    def __str__(self):
        return str(self.assignment)


class Score(models.Model):
    review = models.ForeignKey(Review, models.CASCADE, related_name="scores", verbose_name=_("review"))
    criterion = models.ForeignKey(
        Criterion, models.PROTECT, related_name="scores", verbose_name=_("criterion")
    )
    points = models.PositiveSmallIntegerField(_("points"))

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["criterion__position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="score_once_per_criterion"),
        ]

    def __str__(self):
        return f"{self.criterion.name}: {self.points}"


class ReviewEvent(AuditEntry):
    """Audit of a review's life: submitted, reopened by an organiser (with why)."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        REOPENED = "reopened", _("Reopened")

    review = models.ForeignKey(Review, models.CASCADE, related_name="events", verbose_name=_("review"))
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)

    class Meta(AuditEntry.Meta):
        verbose_name = _("review event")
        verbose_name_plural = _("review events")

    def __str__(self):
        return f"{self.review_id}: {self.action}"

    @property
    def revised_round_id(self) -> int:
        return self.review.assignment.case.round_id


class ReviewRevision(AuditEntry):
    """A submitted review revised by its reviewer after the discussion of its case: the scores, total and
    comment as they were before (the review holds the new ones), who revised it, when and why."""

    review = models.ForeignKey(Review, models.CASCADE, related_name="revisions", verbose_name=_("review"))
    # criterion id (as text: JSON keys) → points, as they were before this revision
    previous_points = models.JSONField(_("previous points"))
    previous_total = models.PositiveSmallIntegerField(_("previous total"))
    previous_comment = models.TextField(_("previous comment"), blank=True)
    total = models.PositiveSmallIntegerField(_("new total"))

    class Meta(AuditEntry.Meta):
        verbose_name = _("review revision")
        verbose_name_plural = _("review revisions")

    def __str__(self):
        return f"{self.review_id}: {self.previous_total} → {self.total}"

    @property
    def revised_round_id(self) -> int:
        return self.review.assignment.case.round_id


class DiscussionComment(models.Model):
    """One message of a case's discussion among its reviewers and the organisers."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="discussion_comments", verbose_name=_("case"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+", verbose_name=_("author")
    )
    body = models.TextField(_("comment"), max_length=5000)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("discussion comment")
        verbose_name_plural = _("discussion comments")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["case", "at"])]

    def __str__(self):
        return f"{self.case_id}: {self.body[:40]}"


class DiscussionEvent(AuditEntry):
    """An organiser closed a case's discussion as settled, or reopened it, with why (AuditEntry.reason). The
    latest event of a case counts: while it is a closing, the discussion is read-only for everyone."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="discussion_events", verbose_name=_("case"))
    closed = models.BooleanField(_("closed"))

    class Meta(AuditEntry.Meta):
        verbose_name = _("discussion closed or reopened")
        verbose_name_plural = _("discussions closed or reopened")
        constraints = [
            models.CheckConstraint(condition=~models.Q(reason=""), name="discussion_event_has_reason"),
        ]
        indexes = [models.Index(fields=["case", "at"], name="discussion_event_case")]

    def __str__(self):
        return f"{self.case_id}: {'closed' if self.closed else 'reopened'}"

    @property
    def revised_round_id(self) -> int:
        return self.case.round_id


class ReviewerAddition(AuditEntry):
    """An organiser gave a flagged or short case one more reviewer from the ranking board."""

    assignment = models.OneToOneField(
        Assignment, models.CASCADE, related_name="addition", verbose_name=_("assignment")
    )

    class Meta(AuditEntry.Meta):
        verbose_name = _("reviewer added")
        verbose_name_plural = _("reviewers added")

    def __str__(self):
        return str(self.assignment)

    @property
    def revised_round_id(self) -> int:
        return self.assignment.case.round_id


class SelectionDecision(models.Model):
    """The organisers' staged decision on one case; it takes effect only at publication."""

    case = models.OneToOneField(Case, models.CASCADE, related_name="selection", verbose_name=_("case"))
    selected = models.BooleanField(_("selected"), default=False)
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    class Meta:
        verbose_name = _("selection decision")
        verbose_name_plural = _("selection decisions")

    def __str__(self):
        return f"{self.case}: {'✓' if self.selected else '✗'}"


class SelectionEvent(AuditEntry):
    """Audit of every selection decision, including ones later undone."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="selection_events", verbose_name=_("case"))
    selected = models.BooleanField(_("selected"))

    class Meta(AuditEntry.Meta):
        verbose_name = _("selection event")
        verbose_name_plural = _("selection events")

    def __str__(self):
        return f"{self.case_id}: {self.selected}"

    @property
    def revised_round_id(self) -> int:
        return self.case.round_id


class VerificationCheck(AuditEntry):
    """One check of a provisionally selected case before publication (复核校验), by someone other than its
    reviewers: the service is live, the facts hold, it was not selected in an earlier year under another
    title. The latest check of a case counts; the earlier ones stay as its history. A failed check gives
    its reason (AuditEntry.reason) and sends the case back to the selection board."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="verification_checks", verbose_name=_("case"))
    passed = models.BooleanField(_("passed"))

    class Meta(AuditEntry.Meta):
        verbose_name = _("verification check")
        verbose_name_plural = _("verification checks")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(passed=True) | ~models.Q(reason=""), name="verification_failure_has_reason"
            ),
        ]
        indexes = [models.Index(fields=["case", "at"], name="verification_latest")]

    def __str__(self):
        return f"{self.case_id}: {'✓' if self.passed else '✗'}"

    @property
    def revised_round_id(self) -> int:
        return self.case.round_id


class BiddingChange(AuditEntry):
    """Audit of the organisers opening and closing a round's bidding."""

    round = models.ForeignKey(Round, models.CASCADE, related_name="bidding_changes", verbose_name=_("round"))
    opened = models.BooleanField(_("opened"))

    class Meta(AuditEntry.Meta):
        verbose_name = _("bidding change")
        verbose_name_plural = _("bidding changes")

    def __str__(self):
        return f"{self.round_id}: {'open' if self.opened else 'closed'}"

    @property
    def revised_round_id(self) -> int:
        return self.round_id


class Recusal(AuditEntry):
    """A reviewer giving back a case after assignment: declined with a reason, or a conflict of interest they
    found. The assignment is gone; this row keeps the solver from ever giving them the case again and holds
    the replacement the solver proposed until an organiser accepts it (`resolved_at`)."""

    class Kind(models.TextChoices):
        DECLINED = "declined", _("Declined")
        CONFLICT = "conflict", _("Conflict of interest")

    case = models.ForeignKey(Case, models.CASCADE, related_name="recusals", verbose_name=_("case"))
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="recusals", verbose_name=_("reviewer")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    proposed = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed replacement"),
    )
    # What is short (reviews.shortage.Shortage as data), not a sentence: each reader gets it in their language.
    unfilled = models.JSONField(_("why no replacement"), null=True, blank=True)
    replacement = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("replacement"),
    )
    resolved_at = models.DateTimeField(_("replaced at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta(AuditEntry.Meta):
        verbose_name = _("declined assignment")
        verbose_name_plural = _("declined assignments")
        constraints = [
            models.UniqueConstraint(fields=["case", "reviewer"], name="recusal_once_per_reviewer_case"),
            models.CheckConstraint(
                condition=models.Q(kind__in=["declined", "conflict"]), name="recusal_kind_known"
            ),
        ]

    def __str__(self):
        return f"{self.reviewer} ✗ {self.case}"

    @property
    def unfilled_reason(self) -> str:
        """Why nobody can take the case, in the active language ("" while a replacement is proposed)."""
        return Shortage(**self.unfilled).explain(self.case.category) if self.unfilled else ""

    @property
    def revised_round_id(self) -> int:
        return Case.objects.filter(pk=self.case_id).values_list("round_id", flat=True).get()
