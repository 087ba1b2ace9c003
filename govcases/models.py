import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import IntegerField, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .enums import (
    LEVEL_ORDER,
    OPTIONAL_PHASES,
    AccountAction,
    CaseStatus,
    Level,
    MessageState,
    Phase,
    Province,
    RankingConvention,
    RankingScore,
)


def pinyin_key(name: str) -> str:
    """Hanyu Pinyin sort key (toneless syllables with tone numbers), as the report orders agencies."""
    # pypinyin loads its dictionaries on import (a fifth of a second): only a save of an agency needs them.
    from pypinyin import Style, lazy_pinyin

    return " ".join(lazy_pinyin(name, style=Style.TONE3, neutral_tone_with_five=True))


def level_order(field: str = "level") -> models.Case:
    """An expression that orders rows by administrative level, ministries first."""
    return models.Case(
        *(When(**{field: code}, then=Value(position)) for code, position in LEVEL_ORDER.items()),
        default=Value(len(LEVEL_ORDER)),
        output_field=IntegerField(),
    )


class AgencyQuerySet(models.QuerySet):
    def in_report_order(self):
        return self.alias(level_rank=level_order()).order_by("level_rank", "pinyin", "pk")


class Agency(models.Model):
    name = models.CharField(_("official name"), max_length=100, unique=True)
    display_name = models.CharField(
        _("name as published"), max_length=60, help_text=_("The short form the announcement prints.")
    )
    level = models.CharField(_("level"), max_length=32, choices=Level.choices)
    province = models.CharField(_("province"), max_length=8, choices=Province.choices, blank=True)
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent agency"),
    )
    pinyin = models.CharField(_("pinyin key"), max_length=400, editable=False, db_index=True)
    email = models.EmailField(_("contact e-mail"), blank=True)

    objects = AgencyQuerySet.as_manager()

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["pinyin"]
        constraints = [
            models.CheckConstraint(condition=models.Q(level__in=Level.values), name="agency_level_known"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.pinyin = pinyin_key(self.name)
        super().save(*args, **kwargs)
        Round.objects.revise()  # every round's boards show agencies' names

    def related_agency_ids(self) -> set[int]:
        """This agency, its parent and its children: the agencies a conflict of interest extends to."""
        ids = {self.pk, *self.children.values_list("pk", flat=True)}
        if self.parent_id:
            ids.add(self.parent_id)
        return ids


class AgencyMember(models.Model):
    """An agency officer: a user who acts for one agency in the portal."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="agency_membership", verbose_name=_("user")
    )
    agency = models.ForeignKey(Agency, models.CASCADE, related_name="members", verbose_name=_("agency"))

    class Meta:
        verbose_name = _("agency officer")
        verbose_name_plural = _("agency officers")

    def __str__(self):
        return f"{self.user} ({self.agency})"


class Category(models.Model):
    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=20, unique=True)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        Round.objects.revise()  # every round's boards show categories' names


class RoundQuerySet(models.QuerySet):
    def revise(self) -> int:
        """Records that what the organisers' boards show of these rounds has changed, so that their cached
        pages are no longer used. Runs inside the writer's transaction: a rollback takes it back too."""
        return self.update(revision=models.F("revision") + 1)


class Round(models.Model):
    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    title = models.CharField(_("title"), max_length=120)
    phase = models.CharField(_("phase"), max_length=16, choices=Phase.choices, default=Phase.SETUP)
    submission_opens = models.DateTimeField(
        _("submissions open"),
        null=True,
        blank=True,
        help_text=_("Agencies may prepare drafts before this time and submit only from it on."),
    )
    submission_deadline = models.DateTimeField(_("submission deadline"))
    review_deadline = models.DateTimeField(
        _("review deadline"), null=True, blank=True, help_text=_("After the submission deadline.")
    )
    guidelines = models.TextField(
        _("guidelines for agencies"),
        blank=True,
        max_length=20000,
        help_text=_("Shown to agencies in the portal: what to submit, how cases are judged, whom to ask."),
    )
    reviews_per_case = models.PositiveSmallIntegerField(
        _("reviews per case"), default=3, validators=[MinValueValidator(1), MaxValueValidator(9)]
    )
    ranking_score = models.CharField(
        _("score that drives the ranking"),
        max_length=16,
        choices=RankingScore.choices,
        default=RankingScore.MEAN,
    )
    ranking_convention = models.CharField(
        _("ranks shown after a tie"),
        max_length=16,
        choices=RankingConvention.choices,
        default=RankingConvention.COMPETITION,
        help_text=_("How the rank after tied cases is numbered. Quotas count cases either way."),
    )
    disagreement_range = models.DecimalField(
        _("disagreement threshold: range"), max_digits=5, decimal_places=2, default=Decimal("25")
    )
    disagreement_stdev = models.DecimalField(
        _("disagreement threshold: standard deviation"), max_digits=5, decimal_places=2, default=Decimal("12")
    )
    normalisation_min_reviews = models.PositiveSmallIntegerField(
        _("reviews a reviewer needs before their scores are normalised"), default=5
    )
    draft_reminder_days = models.PositiveSmallIntegerField(
        _("days before the submission deadline to remind agencies holding drafts"),
        default=3,
        validators=[MaxValueValidator(60)],
    )
    agency_feedback = models.BooleanField(
        _("feedback to agencies"),
        default=False,
        help_text=_(
            "After publication each agency reads in the portal its cases' score band and the reviewers' "
            "comments, without names."
        ),
    )
    blind_review = models.BooleanField(
        _("blind review"),
        default=False,
        help_text=_(
            "Reviewers see a case without its agency's name, its contact, its service link and the pictures "
            "and attachments the organisers mark as identifying; the agency's name is blacked out in its texts."
        ),
    )
    triage_enabled = models.BooleanField(
        _("triage (初步筛选)"),
        default=True,
        help_text=_(
            "The research team screens every submitted case, pass or out with a reason, before the experts "
            "score the cases that passed."
        ),
    )
    screening_reason_shared = models.BooleanField(
        _("tell agencies why a case was screened out"),
        default=True,
        help_text=_("At publication, the agency of a case screened out in triage reads the reason given."),
    )
    verification_enabled = models.BooleanField(
        _("verification (复核校验)"),
        default=True,
        help_text=_(
            "Before publication someone other than its reviewers checks each selected case: the service is "
            "live, the facts hold, it was not selected in an earlier year under another title."
        ),
    )
    review_reminder_days = models.PositiveSmallIntegerField(
        _("days before the review deadline to remind reviewers with pending reviews"),
        default=3,
        validators=[MaxValueValidator(60)],
    )
    # Opened and closed by the organisers on the review progress board (audited there), never in the form.
    bidding_open = models.BooleanField(
        _("bidding open"),
        default=False,
        editable=False,
        help_text=_("Reviewers say which cases of their panels they are keen on before assignment."),
    )
    replace_declined_automatically = models.BooleanField(
        _("replace a reviewer who declines automatically"),
        default=False,
        help_text=_(
            "When a reviewer declines a case, the replacement the solver proposes is assigned at once "
            "instead of waiting for an organiser to accept it on the review progress board."
        ),
    )
    categories = models.ManyToManyField(Category, through="Quota", related_name="rounds")
    # Counts the changes to what the organisers' boards show (cases entering or leaving the ranking,
    # submitted reviews, staged decisions, phases): the boards keep their pages cached under it.
    revision = models.PositiveBigIntegerField(_("revision"), default=0, editable=False)

    objects = RoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(condition=models.Q(phase__in=Phase.values), name="round_phase_known"),
            models.CheckConstraint(
                condition=models.Q(review_deadline__isnull=True)
                | models.Q(review_deadline__gt=models.F("submission_deadline")),
                name="round_review_after_submission",
                violation_error_message=_("The review deadline must come after the submission deadline."),
            ),
            models.CheckConstraint(
                condition=models.Q(submission_opens__isnull=True)
                | models.Q(submission_opens__lt=models.F("submission_deadline")),
                name="round_opens_before_deadline",
                violation_error_message=_("Submissions must open before the submission deadline."),
            ),
        ]

    def __str__(self):
        return self.title or str(self.year)

    def clean(self):
        # The same rules as the constraints, said beside the field the organiser has to change.
        errors = {}
        deadline = self.submission_deadline
        if deadline and self.review_deadline and self.review_deadline <= deadline:
            errors["review_deadline"] = _("The review deadline must come after the submission deadline.")
        if deadline and self.submission_opens and self.submission_opens >= deadline:
            errors["submission_opens"] = _("Submissions must open before the submission deadline.")
        if errors:
            raise ValidationError(errors)

    def submissions_not_open_yet(self, now=None) -> bool:
        """Before the opening time agencies may prepare drafts but not submit them."""
        return self.submission_opens is not None and (now or timezone.now()) < self.submission_opens

    def submission_open(self, now=None) -> bool:
        return self.phase == Phase.SUBMISSION and (now or timezone.now()) < self.submission_deadline

    def phases(self) -> list[str]:
        """The phases this round goes through, in order: the optional stages it leaves out are skipped."""
        return [
            phase
            for phase in Phase
            if phase not in OPTIONAL_PHASES or getattr(self, OPTIONAL_PHASES[phase]) or phase == self.phase
        ]

    def phase_after(self, phase: str | None = None) -> str | None:
        """The phase that follows `phase` (the round's own by default) for this round, or None at the end."""
        sequence = self.phases()
        position = sequence.index(phase or self.phase)
        return sequence[position + 1] if position + 1 < len(sequence) else None

    @property
    def publication_phase(self) -> str:
        """The phase a round is published from: verification if the round verifies, else selection."""
        return Phase.VERIFICATION if self.verification_enabled else Phase.SELECTION


class Quota(models.Model):
    round = models.ForeignKey(Round, models.CASCADE, related_name="quotas", verbose_name=_("round"))
    category = models.ForeignKey(Category, models.PROTECT, related_name="quotas", verbose_name=_("category"))
    seats = models.PositiveSmallIntegerField(_("seats"))

    class Meta:
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")
        ordering = ["category__position", "category_id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "category"], name="quota_once_per_round_category"),
        ]

    def __str__(self):
        return f"{self.round.year} {self.category}: {self.seats}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        Round.objects.filter(pk=self.round_id).revise()  # the ranking board shows who is within the quota


def upload_name(folder: str, extension: str) -> str:
    """A generated storage name: never the user's file name."""
    return f"{folder}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"


class Case(models.Model):
    round = models.ForeignKey(Round, models.PROTECT, related_name="cases", verbose_name=_("round"))
    agency = models.ForeignKey(Agency, models.PROTECT, related_name="cases", verbose_name=_("agency"))
    category = models.ForeignKey(
        Category, models.PROTECT, null=True, blank=True, related_name="cases", verbose_name=_("category")
    )
    title = models.CharField(_("title"), max_length=120, blank=True)
    summary = models.TextField(
        _("summary"), max_length=300, blank=True, help_text=_("At most 300 characters.")
    )
    description = models.TextField(_("description"), max_length=20000, blank=True)
    outcomes = models.TextField(_("measurable outcomes"), max_length=5000, blank=True)
    service_url = models.URLField(_("link to the live service"), max_length=500, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.DRAFT, editable=False
    )
    reference = models.CharField(_("reference number"), max_length=20, blank=True, editable=False)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=CaseStatus.values), name="case_status_known"
            ),
            models.UniqueConstraint(
                fields=["reference"], condition=~models.Q(reference=""), name="case_reference_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["round", "status", "category"]),
            # The organisers' list shows the newest cases first: a page of it reads fifty entries of this
            # index, not every case sorted.
            models.Index(fields=["created_at", "id"], name="case_by_creation"),
        ]

    def __str__(self):
        return self.title or str(_("(untitled draft)"))

    @property
    def editable(self) -> bool:
        return self.status in {CaseStatus.DRAFT, CaseStatus.RETURNED}


class CaseImage(models.Model):
    case = models.ForeignKey(Case, models.CASCADE, related_name="images", verbose_name=_("case"))
    image = models.ImageField(_("image"), max_length=200, width_field="width", height_field="height")
    thumbnail = models.ImageField(_("thumbnail"), max_length=200)
    width = models.PositiveIntegerField(editable=False, default=0)
    height = models.PositiveIntegerField(editable=False, default=0)
    caption = models.CharField(_("caption"), max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    identifying = models.BooleanField(
        _("identifying"),
        default=False,
        help_text=_("Hidden from reviewers when the round's review is blind."),
    )

    class Meta:
        verbose_name = _("image")
        verbose_name_plural = _("images")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.caption or self.image.name


class CaseAttachment(models.Model):
    case = models.ForeignKey(Case, models.CASCADE, related_name="attachments", verbose_name=_("case"))
    file = models.FileField(_("file"), max_length=200)
    name = models.CharField(_("file name"), max_length=120)
    size = models.PositiveIntegerField(_("size"), default=0)
    identifying = models.BooleanField(
        _("identifying"),
        default=False,
        help_text=_("Hidden from reviewers when the round's review is blind."),
    )

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["pk"]

    def __str__(self):
        return self.name


class AuditQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        objs = super().bulk_create(objs, *args, **kwargs)
        Round.objects.filter(pk__in={entry.revised_round_id for entry in objs}).revise()
        return objs


class AuditEntry(models.Model):
    """Who did something, when and why: what every audit trail records besides the change itself.

    Every change that the organisers' boards show is audited, so writing an audit entry is the one place
    that bumps its round's revision (the key of the boards' caches): a new writer cannot forget it.
    """

    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    reason = models.TextField(_("reason"), blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["at", "pk"]

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        if self.revised_round_id is not None:
            Round.objects.filter(pk=self.revised_round_id).revise()

    @property
    def revised_round_id(self) -> int | None:
        """The round whose boards show what this entry records (None: no round's)."""
        raise NotImplementedError


class CaseTransition(AuditEntry):
    """The audit trail of a case's status: who moved it, when, from what, to what and why."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="transitions", verbose_name=_("case"))
    from_status = models.CharField(_("from"), max_length=16, choices=CaseStatus.choices)
    to_status = models.CharField(_("to"), max_length=16, choices=CaseStatus.choices)

    class Meta(AuditEntry.Meta):
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")

    def __str__(self):
        return f"{self.case_id}: {self.from_status} → {self.to_status}"

    @property
    def revised_round_id(self) -> int:
        return self.case.round_id


class RoundPhaseChange(AuditEntry):
    round = models.ForeignKey(Round, models.CASCADE, related_name="phase_changes", verbose_name=_("round"))
    from_phase = models.CharField(_("from"), max_length=16, choices=Phase.choices)
    to_phase = models.CharField(_("to"), max_length=16, choices=Phase.choices)
    # What was still outstanding when the organiser went on all the same (with the reason above).
    overridden = models.JSONField(_("outstanding, overridden"), default=list, blank=True)

    class Meta(AuditEntry.Meta):
        verbose_name = _("phase change")
        verbose_name_plural = _("phase changes")

    def __str__(self):
        return f"{self.get_from_phase_display()} → {self.get_to_phase_display()}"

    @property
    def revised_round_id(self) -> int:
        return self.round_id


class TriageDecision(models.Model):
    """The research team's staged triage of one submitted case (初步筛选): pass, or out with a reason. It takes
    effect when the round enters review: passed cases go to the experts, the others are screened out."""

    case = models.OneToOneField(Case, models.CASCADE, related_name="triage", verbose_name=_("case"))
    passed = models.BooleanField(_("passed"))
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    class Meta:
        verbose_name = _("triage decision")
        verbose_name_plural = _("triage decisions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(passed=True) | ~models.Q(reason=""), name="triage_out_has_reason"
            ),
        ]

    def __str__(self):
        return f"{self.case}: {'✓' if self.passed else '✗'}"


class TriageEvent(AuditEntry):
    """Audit of every triage decision, including ones later changed."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="triage_events", verbose_name=_("case"))
    passed = models.BooleanField(_("passed"))

    class Meta(AuditEntry.Meta):
        verbose_name = _("triage event")
        verbose_name_plural = _("triage events")

    def __str__(self):
        return f"{self.case_id}: {self.passed}"

    @property
    def revised_round_id(self) -> int:
        return self.case.round_id


class RoundEvent(AuditEntry):
    """A round's set-up: created, or started from an earlier round (what was copied, in the reason)."""

    class Action(models.TextChoices):
        CREATED = "created", _("Created")
        COPIED = "copied", _("Started from an earlier round")

    round = models.ForeignKey(Round, models.CASCADE, related_name="events", verbose_name=_("round"))
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    source = models.ForeignKey(
        Round, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("copied from")
    )

    class Meta(AuditEntry.Meta):
        verbose_name = _("round set-up")
        verbose_name_plural = _("round set-up")

    def __str__(self):
        return f"{self.round_id}: {self.action}"

    @property
    def revised_round_id(self) -> int:
        return self.round_id


class AccountChange(AuditEntry):
    """The audit trail of people's accounts: who invited, imported, re-invited, deactivated, reactivated,
    unlocked or changed the roles of whom, and when."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="account_changes",
        verbose_name=_("account"),
    )
    # Kept when the account is deleted: the record still says whose it was.
    username = models.CharField(_("user name"), max_length=150)
    action = models.CharField(_("action"), max_length=16, choices=AccountAction.choices)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    # The role (its group's name) an invitation was for: a link sent again names the same role.
    role = models.CharField(_("role"), max_length=32, blank=True)

    class Meta(AuditEntry.Meta):
        verbose_name = _("account change")
        verbose_name_plural = _("account changes")
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__in=AccountAction.values),
                name="account_change_action_known",
            ),
        ]

    def __str__(self):
        return f"{self.username}: {self.get_action_display()}"

    @property
    def revised_round_id(self) -> None:
        return None


class Publication(models.Model):
    """A frozen, versioned snapshot of a round's results: what the public site shows."""

    round = models.ForeignKey(Round, models.PROTECT, related_name="publications", verbose_name=_("round"))
    version = models.PositiveSmallIntegerField(_("version"))
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    reason = models.TextField(_("reason"), blank=True)
    submitted = models.PositiveIntegerField(_("cases submitted"))
    counts = models.JSONField(
        _("counts"), default=dict, help_text=_("Submissions and selections by category and level.")
    )

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        ordering = ["round", "-version"]
        get_latest_by = "version"
        constraints = [
            models.UniqueConstraint(fields=["round", "version"], name="publication_version_unique"),
        ]

    def __str__(self):
        return f"{self.round.year} v{self.version}"


class PublishedCase(models.Model):
    """One selected case as published: only public fields, copied so that later edits never change it."""

    publication = models.ForeignKey(Publication, models.CASCADE, related_name="cases")
    case = models.ForeignKey(Case, models.PROTECT, related_name="publications")
    category = models.ForeignKey(Category, models.PROTECT, related_name="+")
    title = models.CharField(max_length=120)
    summary = models.TextField()
    description = models.TextField()
    outcomes = models.TextField()
    service_url = models.URLField(max_length=500, blank=True)
    agency_name = models.CharField(max_length=60)
    level = models.CharField(max_length=32, choices=Level.choices)
    province = models.CharField(max_length=8, choices=Province.choices, blank=True)
    pinyin = models.CharField(max_length=400)
    images = models.JSONField(default=list, help_text="[{image, thumbnail, width, height, caption}]")

    class Meta:
        verbose_name = _("published case")
        verbose_name_plural = _("published cases")
        ordering = ["publication", "category__position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["publication", "case"], name="published_case_once_per_version"),
        ]

    def __str__(self):
        return self.title


class Profile(models.Model):
    """What the application keeps about a person besides the account: the language of their e-mails."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="profile", verbose_name=_("user")
    )
    language = models.CharField(
        _("language of e-mails"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self):
        return str(self.user)


class EmailTemplate(models.Model):
    """Notification texts the organisers edit in the admin, one per kind and language; rendered with Django's
    template language."""

    key = models.SlugField(_("kind"), max_length=40)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"))

    class Meta:
        verbose_name = _("e-mail template")
        verbose_name_plural = _("e-mail templates")
        ordering = ["key", "language"]
        constraints = [
            models.UniqueConstraint(fields=["key", "language"], name="email_template_once_per_language"),
        ]

    def __str__(self):
        return f"{self.key} ({self.language})"


class OutboxMessage(models.Model):
    """One e-mail to one address, written in the transaction of the change that causes it and sent later by
    a worker (govcases.outbox): a rolled-back change sends nothing, and a slow mail server slows nobody."""

    recipient = models.EmailField(_("recipient"))
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    kind = models.SlugField(_("kind"), max_length=40)
    round = models.ForeignKey(
        Round, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("round")
    )
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("body"))
    state = models.CharField(
        _("state"), max_length=8, choices=MessageState.choices, default=MessageState.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("queued at"), default=timezone.now)
    due_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=MessageState.values), name="outbox_message_state_known"
            ),
        ]
        indexes = [models.Index(fields=["state", "due_at"], name="outbox_due")]

    def __str__(self):
        return f"{self.kind} → {self.recipient}"


class CaseFeedback(models.Model):
    """What an agency may read of its case's review once the round is published (if the round says so): the
    band its score fell in and the reviewers' comments, without names. Frozen at publication by reviews."""

    case = models.OneToOneField(Case, models.CASCADE, related_name="feedback", verbose_name=_("case"))
    band = models.CharField(_("score band"), max_length=20)
    comments = models.JSONField(_("reviewers' comments"), default=list)

    class Meta:
        verbose_name = _("feedback to the agency")
        verbose_name_plural = _("feedback to agencies")

    def __str__(self):
        return f"{self.case_id}: {self.band}"


class ReminderSent(models.Model):
    """A scheduled reminder that went out: the constraint keeps it to once per person, round and reminder,
    however often (and however concurrently) the scheduler runs."""

    round = models.ForeignKey(Round, models.CASCADE, related_name="+", verbose_name=_("round"))
    kind = models.SlugField(_("kind"), max_length=40)
    recipient = models.EmailField(_("recipient"))
    sent_at = models.DateTimeField(_("queued at"), default=timezone.now)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(fields=["round", "kind", "recipient"], name="reminder_once_per_person"),
        ]

    def __str__(self):
        return f"{self.kind} → {self.recipient}"
