"""Each agency's own evaluation report in the portal: what it scored, where it stands, what it can improve."""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from govcases.views import portal_required

from . import selectors


@portal_required  # first: a refused user is refused whatever the method
@require_safe
def agency_report(request):
    agency = request.user.agency_membership.agency
    english = not request.LANGUAGE_CODE.startswith("zh")
    return render(
        request,
        "evaluation/portal_report.html",
        {"agency": agency, "reports": selectors.agency_reports(agency_id=agency.pk), "english": english},
    )
