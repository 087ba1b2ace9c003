"""The evaluators' admin at /evaluate/: the agencies of the open year, one page per agency with a panel per
dimension and its website beside the form, and the spreadsheet import with its preview.

Everything that changes a score goes through evaluation.services, which refuses what the rules forbid.
"""

from django.contrib import admin, messages
from django.core import signing
from django.db.models import Count, Q
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from govcases.exceptions import Refused
from govcases.permissions import allowed

from . import selectors, services, spreadsheet_import
from .enums import DimensionSource, ScoreStatus
from .forms import ImportForm, PanelForm
from .models import Evaluation, Score, SurveyedAgency
from .permissions import EVALUATE
from .sites import evaluate_site

IMPORT_SALT = "evaluation.import"


@admin.register(SurveyedAgency, site=evaluate_site)
class SurveyedAgencyAdmin(admin.ModelAdmin):
    list_display = ["published_name", "agency_level", "year", "website_link", "submitted_scores"]
    list_filter = ["evaluation__year", "agency__level"]
    search_fields = ["published_name", "agency__name"]
    ordering = ["-evaluation__year", "agency__pinyin"]
    list_per_page = 100
    actions = None
    show_facets = admin.ShowFacets.NEVER
    panel_template = "evaluation/evaluate/agency.html"
    import_template = "evaluation/evaluate/import.html"

    def has_module_permission(self, request):
        return allowed(request.user, EVALUATE)

    def has_view_permission(self, request, obj=None):
        return allowed(request.user, EVALUATE)

    def has_change_permission(self, request, obj=None):
        return allowed(request.user, EVALUATE)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("agency", "evaluation")
            .annotate(submitted=Count("scores", filter=Q(scores__status=ScoreStatus.SUBMITTED)))
        )

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        view = self.admin_site.admin_view
        return [
            path("", view(self.changelist_view), name=f"{prefix}_changelist"),
            path("import/", view(self.import_view), name=f"{prefix}_import"),
            path("import/template.xlsx", view(self.template_view), name=f"{prefix}_import_template"),
            path("<path:object_id>/change/", view(self.change_view), name=f"{prefix}_change"),
        ]

    @admin.display(description=gettext_lazy("level"), ordering="agency__level")
    def agency_level(self, surveyed):
        return surveyed.agency.get_level_display()

    @admin.display(description=gettext_lazy("year"), ordering="evaluation__year")
    def year(self, surveyed):
        return surveyed.evaluation.year

    @admin.display(description=gettext_lazy("website"))
    def website_link(self, surveyed):
        if not surveyed.website:
            return "–"
        return format_html(
            '<a href="{}" target="_blank" rel="noopener noreferrer">{}</a>',
            surveyed.website,
            surveyed.website,
        )

    @admin.display(description=gettext_lazy("submitted scores"), ordering="submitted")
    def submitted_scores(self, surveyed):
        return surveyed.submitted

    # --- one agency: a panel per dimension ---
    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not object_id.isdecimal():
            raise Http404(_("No such agency in the survey."))
        surveyed = SurveyedAgency.objects.select_related("agency", "evaluation").filter(pk=object_id).first()
        if surveyed is None:
            raise Http404(_("No such agency in the survey."))
        evaluation = surveyed.evaluation
        dimensions = selectors.indicator_system(evaluation=evaluation)
        scores = {score.indicator_id: score for score in Score.objects.filter(surveyed=surveyed)}
        posted = request.POST.get("dimension") if request.method == "POST" else None
        panels = []
        for dimension in dimensions:
            indicators = [i for i in dimension.indicators.all() if selectors.applies(i, surveyed)]
            if dimension.source != DimensionSource.ENTERED:
                panels.append({"dimension": dimension, "computed": True, "indicators": indicators})
                continue
            initial = {f"indicator_{i.pk}": scores[i.pk].points for i in indicators if i.pk in scores}
            if posted == dimension.code:
                form = PanelForm(request.POST, indicators=indicators)
                if form.is_valid():
                    response = self._save(request, surveyed, form)
                    if response is not None:
                        return response
                else:
                    messages.error(request, _("Please correct the errors below."))
            else:
                form = PanelForm(initial=initial, indicators=indicators)
            statuses = {scores[i.pk].status for i in indicators if i.pk in scores}
            panels.append(
                {
                    "dimension": dimension,
                    "form": form,
                    "submitted": bool(indicators)
                    and statuses == {ScoreStatus.SUBMITTED}
                    and all(i.pk in scores for i in indicators),
                }
            )
        context = {
            **self.admin_site.each_context(request),
            "title": surveyed.published_name,
            "opts": self.opts,
            "surveyed": surveyed,
            "evaluation": evaluation,
            "locked": evaluation.locked,
            "panels": panels,
            "list_url": reverse("evaluate:evaluation_surveyedagency_changelist"),
            **(extra_context or {}),
        }
        return TemplateResponse(request, self.panel_template, context)

    def _save(self, request, surveyed, form):
        submit = "_submit" in request.POST
        values = [
            services.ScoreValue(surveyed, indicator, points) for indicator, points in form.points().items()
        ]
        if submit and len(values) < len(form.indicators):
            form.add_error(None, _("Give every indicator of this dimension its points before submitting."))
            messages.error(request, _("Give every indicator of this dimension its points before submitting."))
            return None
        try:
            services.scores_save(
                evaluation=surveyed.evaluation, values=values, submit=submit, by=request.user
            )
        except Refused as refusal:
            form.add_error(None, str(refusal))
            messages.error(request, str(refusal))
            return None
        messages.success(request, _("The scores were submitted.") if submit else _("Your draft was saved."))
        return HttpResponseRedirect(request.path)

    # --- the spreadsheet ---
    def import_view(self, request):
        evaluation = selectors.open_evaluation()
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import scores from a spreadsheet"),
            "opts": self.opts,
            "evaluation": evaluation,
        }
        if evaluation is None:
            context["form"] = None
            return TemplateResponse(request, self.import_template, context)
        if request.method == "POST" and "payload" in request.POST:
            return self._import_confirmed(request, evaluation)
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            preview = spreadsheet_import.import_preview(
                evaluation=evaluation, content=form.cleaned_data["file"].read()
            )
            context["preview"] = preview
            if not preview.errors:
                context["payload"] = signing.dumps(
                    {
                        "evaluation": evaluation.pk,
                        "values": preview.values,
                        "submit": form.cleaned_data["submit"],
                    },
                    salt=IMPORT_SALT,
                )
        context["form"] = form
        return TemplateResponse(request, self.import_template, context)

    def template_view(self, request):
        """The spreadsheet to fill in: a row per surveyed agency, a column per entered indicator, with the
        points already entered."""
        evaluation = selectors.open_evaluation() or Evaluation.objects.order_by("-year").first()
        if evaluation is None:
            raise Http404(_("No evaluation is taking scores at the moment."))
        response = HttpResponse(
            spreadsheet_import.template_xlsx(evaluation=evaluation),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="scores-{evaluation.year}.xlsx"'
        return response

    def _import_confirmed(self, request, evaluation):
        try:
            payload = signing.loads(request.POST["payload"], salt=IMPORT_SALT, max_age=60 * 60)
        except signing.BadSignature:
            messages.error(request, _("The preview has expired or was changed: upload the file again."))
            return HttpResponseRedirect(request.path)
        if payload["evaluation"] != evaluation.pk:
            messages.error(request, _("The preview has expired or was changed: upload the file again."))
            return HttpResponseRedirect(request.path)
        try:
            changed = services.scores_import(
                evaluation=evaluation, values=payload["values"], submit=payload["submit"], by=request.user
            )
        except Refused as refusal:
            messages.error(request, str(refusal))
            return HttpResponseRedirect(request.path)
        messages.success(
            request,
            ngettext("%(count)d score was written.", "%(count)d scores were written.", changed)
            % {"count": changed},
        )
        return HttpResponseRedirect(reverse("evaluate:evaluation_surveyedagency_changelist"))
