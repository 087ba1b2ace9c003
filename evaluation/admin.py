"""The organisers' admin for the evaluation at /admin/: a year's indicator system, its group rules, the
surveyed agencies, and the steps that change a year (compute, reopen, publish, copy into the next year), each
confirmed on a page that says what will happen. The evaluators' pages are in evaluator_admin."""

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govcases.exceptions import Refused
from govcases.sites import OrganisersOnly, ReadOnly

from . import (
    evaluator_admin,  # noqa: F401  (the evaluators' site registers its pages there)
    selectors,
    services,
)
from .models import (
    Dimension,
    Evaluation,
    EvaluationEvent,
    EvaluationPublication,
    Indicator,
    RankingGroupRule,
    ScoreChange,
    SurveyedAgency,
    TierGroupRule,
)


class DimensionInline(OrganisersOnly, admin.TabularInline):
    model = Dimension
    extra = 0


class RankingGroupRuleInline(OrganisersOnly, admin.TabularInline):
    model = RankingGroupRule
    extra = 0


class TierGroupRuleInline(OrganisersOnly, admin.TabularInline):
    model = TierGroupRule
    extra = 0


class EvaluationEventInline(ReadOnly, admin.TabularInline):
    model = EvaluationEvent
    fields = ["at", "by", "action", "detail", "reason"]
    readonly_fields = fields
    extra = 0


class StepForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    year = forms.IntegerField(label=gettext_lazy("Year"), required=False, min_value=2000, max_value=2999)


STEPS = {
    "compute": gettext_lazy("Compute the year: lock its scores"),
    "reopen": gettext_lazy("Reopen the scores for a correction"),
    "publish": gettext_lazy("Publish the results"),
    "copy": gettext_lazy("Copy the indicator system into another year"),
}


@admin.register(Evaluation)
class EvaluationAdmin(OrganisersOnly, admin.ModelAdmin):
    list_display = ["year", "title", "status", "tier_rule", "steps"]
    inlines = [DimensionInline, RankingGroupRuleInline, TierGroupRuleInline, EvaluationEventInline]
    step_template = "evaluation/admin/step.html"

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("steps"))
    def steps(self, evaluation):
        return format_html_join(
            " · ",
            '<a href="{}">{}</a>',
            (
                (reverse("admin:evaluation_evaluation_step", args=[evaluation.pk, step]), label)
                for step, label in STEPS.items()
            ),
        )

    def get_urls(self):
        return [
            path(
                "<int:evaluation_id>/step/<slug:step>/",
                self.admin_site.admin_view(self.step_view),
                name="evaluation_evaluation_step",
            ),
            *super().get_urls(),
        ]

    def step_view(self, request, evaluation_id: int, step: str):
        evaluation = Evaluation.objects.filter(pk=evaluation_id).first()
        if evaluation is None or step not in STEPS or not self.has_change_permission(request, evaluation):
            raise Http404(_("No such step."))
        form = StepForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            reason = form.cleaned_data["reason"] or ""
            try:
                if step == "compute":
                    services.evaluation_compute(evaluation=evaluation, by=request.user, reason=reason)
                elif step == "reopen":
                    services.evaluation_reopen(evaluation=evaluation, by=request.user, reason=reason)
                elif step == "publish":
                    services.evaluation_publish(evaluation=evaluation, by=request.user, reason=reason)
                else:
                    year = form.cleaned_data["year"]
                    if year is None:
                        raise Refused(_("Give the year to copy into."))
                    services.evaluation_copy(source=evaluation, year=year, by=request.user)
            except Refused as refusal:
                form.add_error(None, str(refusal))
            else:
                messages.success(request, _("Done: %(step)s.") % {"step": STEPS[step]})
                return HttpResponseRedirect(
                    reverse("admin:evaluation_evaluation_change", args=[evaluation.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "title": STEPS[step],
            "opts": self.opts,
            "evaluation": evaluation,
            "step": step,
            "form": form,
            "outstanding": selectors.outstanding_scores(evaluation=evaluation) if step == "compute" else None,
            "versions": evaluation.publications.count(),
        }
        return TemplateResponse(request, self.step_template, context)


@admin.register(Indicator)
class IndicatorAdmin(OrganisersOnly, admin.ModelAdmin):
    list_display = ["code", "name", "dimension", "max_points", "points_per_case", "levels"]
    list_filter = ["evaluation__year", "dimension__code"]
    list_select_related = ["dimension"]
    filter_horizontal = ["exempt_agencies"]
    search_fields = ["code", "name"]


@admin.register(SurveyedAgency)
class SurveyedAgencyOrganiserAdmin(OrganisersOnly, admin.ModelAdmin):
    list_display = ["published_name", "agency", "evaluation", "website"]
    list_filter = ["evaluation__year", "agency__level"]
    list_select_related = ["agency", "evaluation"]
    search_fields = ["published_name", "agency__name"]
    autocomplete_fields = ["agency"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(EvaluationPublication)
class EvaluationPublicationAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["evaluation", "version", "published_at", "published_by", "reason"]
    list_select_related = ["evaluation", "published_by"]
    exclude = ["data"]


@admin.register(ScoreChange)
class ScoreChangeAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["score", "from_points", "to_points", "from_status", "to_status", "by", "at", "reason"]
    list_select_related = ["score__surveyed", "score__indicator", "by"]
    list_filter = ["score__surveyed__evaluation__year"]
