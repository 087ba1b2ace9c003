from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from govcases.permissions import allowed, two_factor_satisfied
from govcases.sites import AppListOnDemandSite

from .forms import ReviewerLoginForm
from .permissions import REVIEW


class ReviewAdminSite(AppListOnDemandSite):
    """`/review/`: a second admin site where reviewers see and score only their own assignments."""

    site_header = _("Government case selection: reviewers")
    site_title = _("Reviewers")
    index_title = _("Your reviews")
    # Reviewers need not be staff: this site lets in the reviewers group, and only it.
    login_form = ReviewerLoginForm
    # One model only: the sidebar would take room from the case and the rubric.
    enable_nav_sidebar = False

    def has_permission(self, request):
        return allowed(request.user, REVIEW) and two_factor_satisfied(request.user)

    def index(self, request, extra_context=None):
        # A reviewer has one thing to do here: their queue.
        return HttpResponseRedirect(reverse("review:reviews_assignment_changelist"))


review_site = ReviewAdminSite(name="review")
