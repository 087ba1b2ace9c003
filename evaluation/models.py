from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from govcases.enums import Level
from govcases.models import Agency, AuditEntry

from .enums import (
    RANKING_GROUP_CODES,
    TIER_GROUP_CODES,
    DimensionSource,
    EvaluationStatus,
    ScoreStatus,
    TierRule,
)

POINTS = {"max_digits": 7, "decimal_places": 2}
RANKING_GROUP_CHOICES = [(code, code) for code in RANKING_GROUP_CODES]
TIER_GROUP_CHOICES = [(code, code) for code in TIER_GROUP_CODES]


class Evaluation(models.Model):
    """One year's evaluation of governments: its indicator system, the agencies surveyed and their scores."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    title = models.CharField(_("title"), max_length=120)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=EvaluationStatus.choices,
        default=EvaluationStatus.SCORING,
        editable=False,
    )
    tier_rule = models.CharField(
        _("tier rule"), max_length=16, choices=TierRule.choices, default=TierRule.COUNTS
    )

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=EvaluationStatus.values), name="evaluation_status_known"
            ),
            models.CheckConstraint(
                condition=models.Q(tier_rule__in=TierRule.values), name="evaluation_tier_rule_known"
            ),
        ]

    def __str__(self):
        return self.title or str(self.year)

    @property
    def locked(self) -> bool:
        return self.status != EvaluationStatus.SCORING


class Dimension(models.Model):
    evaluation = models.ForeignKey(
        Evaluation, models.CASCADE, related_name="dimensions", verbose_name=_("evaluation")
    )
    code = models.SlugField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=40)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    weight = models.DecimalField(
        _("weight"), max_digits=5, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    source = models.CharField(
        _("source of the points"),
        max_length=16,
        choices=DimensionSource.choices,
        default=DimensionSource.ENTERED,
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("dimension")
        verbose_name_plural = _("dimensions")
        ordering = ["evaluation", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "code"], name="dimension_code_once_per_year"),
            models.CheckConstraint(condition=models.Q(weight__gte=0), name="dimension_weight_not_negative"),
        ]

    def __str__(self):
        return self.name


class Indicator(models.Model):
    # The year is repeated from the dimension so that a code is unique in the year: the spreadsheet's
    # columns are indicator codes.
    evaluation = models.ForeignKey(
        Evaluation, models.CASCADE, related_name="indicators", editable=False, verbose_name=_("evaluation")
    )
    dimension = models.ForeignKey(
        Dimension, models.CASCADE, related_name="indicators", verbose_name=_("dimension")
    )
    code = models.SlugField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=80)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    max_points = models.DecimalField(
        _("maximum points"), **POINTS, validators=[MinValueValidator(Decimal("0.01"))]
    )
    points_per_case = models.DecimalField(
        _("points per selected case"),
        **POINTS,
        null=True,
        blank=True,
        help_text=_("Only for a dimension computed from the published case selection."),
    )
    levels = models.JSONField(
        _("levels it applies to"),
        default=list,
        blank=True,
        help_text=_("Level codes; empty means every level."),
    )
    exempt_agencies = models.ManyToManyField(
        Agency,
        blank=True,
        related_name="+",
        verbose_name=_("agencies it does not apply to"),
        help_text=_("For example a ministry without public-facing services."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["dimension__position", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "code"], name="indicator_code_once_per_year"),
            models.CheckConstraint(
                condition=models.Q(max_points__gt=0), name="indicator_max_points_positive"
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def save(self, *args, **kwargs):
        self.evaluation_id = self.dimension.evaluation_id
        super().save(*args, **kwargs)

    def applies_to_level(self, level: str) -> bool:
        return not self.levels or level in self.levels


class SurveyedAgency(models.Model):
    """An agency evaluated in a year, with the name the report prints and the website the evaluators visit."""

    evaluation = models.ForeignKey(
        Evaluation, models.CASCADE, related_name="surveyed", verbose_name=_("evaluation")
    )
    agency = models.ForeignKey(Agency, models.PROTECT, related_name="evaluations", verbose_name=_("agency"))
    published_name = models.CharField(
        _("name as published"), max_length=60, help_text=_("As the report prints it: 广东, 广州, 北京海淀区.")
    )
    website = models.URLField(_("website"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("surveyed agency")
        verbose_name_plural = _("surveyed agencies")
        ordering = ["evaluation", "agency__pinyin"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "agency"], name="surveyed_agency_once_per_year"),
        ]

    def __str__(self):
        return self.published_name


class Score(models.Model):
    """An agency's points for one indicator. Written only by evaluation.services, which audits each change."""

    surveyed = models.ForeignKey(
        SurveyedAgency, models.CASCADE, related_name="scores", verbose_name=_("surveyed agency")
    )
    indicator = models.ForeignKey(
        Indicator, models.CASCADE, related_name="scores", verbose_name=_("indicator")
    )
    points = models.DecimalField(_("points"), **POINTS)
    status = models.CharField(
        _("status"), max_length=16, choices=ScoreStatus.choices, default=ScoreStatus.DRAFT, editable=False
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["surveyed", "indicator"]
        constraints = [
            models.UniqueConstraint(fields=["surveyed", "indicator"], name="score_once_per_agency_indicator"),
            models.CheckConstraint(condition=models.Q(points__gte=0), name="score_points_not_negative"),
            models.CheckConstraint(
                condition=models.Q(status__in=ScoreStatus.values), name="score_status_known"
            ),
        ]

    def __str__(self):
        return f"{self.surveyed} {self.indicator.code}: {self.points}"


class ScoreChange(AuditEntry):
    """The audit trail of a score: every value it had, who gave it, when and how (form or spreadsheet)."""

    score = models.ForeignKey(Score, models.CASCADE, related_name="changes", verbose_name=_("score"))
    from_points = models.DecimalField(_("from"), **POINTS, null=True, blank=True)
    to_points = models.DecimalField(_("to"), **POINTS)
    from_status = models.CharField(_("status before"), max_length=16, choices=ScoreStatus.choices, blank=True)
    to_status = models.CharField(_("status after"), max_length=16, choices=ScoreStatus.choices)

    class Meta(AuditEntry.Meta):
        verbose_name = _("score change")
        verbose_name_plural = _("score changes")

    def __str__(self):
        return f"{self.score_id}: {self.from_points} → {self.to_points}"

    @property
    def revised_round_id(self) -> None:
        # The evaluation is on no round's boards: its entries revise none.
        return None


class EvaluationEvent(AuditEntry):
    """The audit trail of a year: copied, imported, computed, reopened, published."""

    evaluation = models.ForeignKey(
        Evaluation, models.CASCADE, related_name="events", verbose_name=_("evaluation")
    )
    action = models.CharField(_("action"), max_length=32)
    detail = models.CharField(_("detail"), max_length=300, blank=True)

    class Meta(AuditEntry.Meta):
        verbose_name = _("evaluation event")
        verbose_name_plural = _("evaluation events")

    def __str__(self):
        return f"{self.evaluation} {self.action}"

    @property
    def revised_round_id(self) -> None:
        # The evaluation is on no round's boards: its entries revise none.
        return None


class RankingGroupRule(models.Model):
    """How long a ranking group's published top list is (15 ministries, 3 municipalities…)."""

    evaluation = models.ForeignKey(
        Evaluation, models.CASCADE, related_name="ranking_rules", verbose_name=_("evaluation")
    )
    group = models.CharField(_("ranking group"), max_length=32, choices=RANKING_GROUP_CHOICES)
    top_size = models.PositiveSmallIntegerField(_("published top list"), default=15)

    class Meta:
        verbose_name = _("ranking group rule")
        verbose_name_plural = _("ranking group rules")
        ordering = ["evaluation", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "group"], name="ranking_rule_once_per_group"),
        ]

    def __str__(self):
        return f"{self.group}: {self.top_size}"


class TierGroupRule(models.Model):
    """A tier group's 优秀 and 良好: counts or minimum totals, as the year's tier rule says."""

    evaluation = models.ForeignKey(
        Evaluation, models.CASCADE, related_name="tier_rules", verbose_name=_("evaluation")
    )
    group = models.CharField(_("tier group"), max_length=32, choices=TIER_GROUP_CHOICES)
    excellent_count = models.PositiveIntegerField(_("excellent: number of agencies"), default=0)
    good_count = models.PositiveIntegerField(_("good: number of agencies"), default=0)
    excellent_cutoff = models.DecimalField(_("excellent: minimum total"), **POINTS, default=Decimal(90))
    good_cutoff = models.DecimalField(_("good: minimum total"), **POINTS, default=Decimal(80))

    class Meta:
        verbose_name = _("tier group rule")
        verbose_name_plural = _("tier group rules")
        ordering = ["evaluation", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "group"], name="tier_rule_once_per_group"),
            models.CheckConstraint(
                condition=models.Q(good_cutoff__lte=models.F("excellent_cutoff")),
                name="tier_rule_good_below_excellent",
            ),
        ]

    def __str__(self):
        return self.group


class EvaluationPublication(models.Model):
    """A frozen, versioned snapshot of a year's results: what the public page and the open data show."""

    evaluation = models.ForeignKey(
        Evaluation, models.PROTECT, related_name="publications", verbose_name=_("evaluation")
    )
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
    data = models.JSONField(_("published data"), default=dict)

    class Meta:
        verbose_name = _("evaluation publication")
        verbose_name_plural = _("evaluation publications")
        ordering = ["evaluation", "-version"]
        get_latest_by = "version"
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "version"], name="evaluation_publication_version_unique"
            ),
        ]

    def __str__(self):
        return f"{self.evaluation.year} v{self.version}"


class PublishedResult(models.Model):
    """One agency's results as published: what its own report in the portal shows."""

    publication = models.ForeignKey(EvaluationPublication, models.CASCADE, related_name="results")
    agency = models.ForeignKey(Agency, models.PROTECT, related_name="+")
    name = models.CharField(max_length=60)
    level = models.CharField(max_length=32, choices=Level.choices)
    total = models.DecimalField(**POINTS)
    detail = models.JSONField(
        default=dict,
        help_text="{dimensions: [{code, name, name_en, percent, indicators: [{code, name, name_en, points, "
        "max_points}]}], groups: [{kind, code, rank, size, median, tier}], cases: [...]}",
    )

    class Meta:
        verbose_name = _("published result")
        verbose_name_plural = _("published results")
        ordering = ["publication", "-total"]
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "agency"], name="published_result_once_per_version"
            ),
        ]

    def __str__(self):
        return f"{self.name}: {self.total}"
