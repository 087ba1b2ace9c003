from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from govcases.permissions import allowed
from govcases.sites import AppListOnDemandSite

from .forms import EvaluatorLoginForm
from .permissions import EVALUATE


class EvaluationAdminSite(AppListOnDemandSite):
    """`/evaluate/`: where the evaluators score the surveyed agencies. Only the `evaluators` group gets in."""

    site_header = _("Evaluation of governments: evaluators")
    site_title = _("Evaluators")
    index_title = _("Scores")
    login_form = EvaluatorLoginForm
    enable_nav_sidebar = False

    def has_permission(self, request):
        return allowed(request.user, EVALUATE)

    def index(self, request, extra_context=None):
        return HttpResponseRedirect(reverse("evaluate:evaluation_surveyedagency_changelist"))


evaluate_site = EvaluationAdminSite(name="evaluate")
