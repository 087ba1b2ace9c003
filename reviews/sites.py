from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from govcases.permissions import is_reviewer


class ReviewAdminSite(admin.AdminSite):
    """`/review/`: a second admin site where reviewers see and score only their own assignments."""

    site_header = _("Government case selection: reviewers")
    site_title = _("Reviewers")
    index_title = _("Your reviews")

    def has_permission(self, request):
        return is_reviewer(request.user)


review_site = ReviewAdminSite(name="review")
