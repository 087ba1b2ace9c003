"""The reviewers' bidding page at /review/reviews/bids/: while the organisers keep a round's bidding open, one
fast list of the cases each reviewer may be assigned, with a choice per case. A plain form (radio buttons:
the keyboard moves within a case with the arrows and on to the next case with Tab), filtered by category."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govcases.exceptions import Refused
from govcases.permissions import allowed
from govcases.sites import AdminBoard

from .. import selectors, services
from ..enums import BidChoice
from ..permissions import REVIEW

FIELD_PREFIX = "bid_"


class BiddingPage(AdminBoard):
    app_label = "reviews"
    name = "bids"
    verbose_name_plural = gettext_lazy("bids on cases")
    # A panel has a few hundred cases at most in a national round: a page holds a category's worth.
    per_page = 200

    def has_permission(self, request) -> bool:
        return allowed(request.user, REVIEW)

    def get_urls(self) -> list:
        return [path("", self.view(self.bids_view), name=self.url_name("changelist"))]

    def bids_view(self, request):
        round = selectors.bidding_round()
        categories = selectors.bidding_categories(reviewer=request.user)
        category = next((c for c in categories if str(c.pk) == request.GET.get("category")), None)
        posted: dict[int, str] = {}
        if request.method == "POST" and round is not None:
            posted = {
                int(key.removeprefix(FIELD_PREFIX)): value
                for key, value in request.POST.items()
                if key.startswith(FIELD_PREFIX) and key.removeprefix(FIELD_PREFIX).isdecimal()
            }
            try:
                changed = services.bids_save(reviewer=request.user, round=round, choices=posted)
            except Refused as refusal:
                # The page comes back with the choices as the reviewer left them.
                messages.error(request, str(refusal))
            else:
                messages.success(
                    request, _("Your choices were saved (%(count)d changed).") % {"count": changed}
                )
                return HttpResponseRedirect(request.get_full_path())
        page = None
        if round is not None:
            rows = selectors.bidding_rows(
                reviewer=request.user, round=round, category_id=category.pk if category else None
            )
            page = Paginator(rows, self.per_page).get_page(request.GET.get("page"))
            page.object_list = list(page.object_list)
            for row in page.object_list:
                row["choice"] = posted.get(row["pk"], row["choice"] or "")
        return TemplateResponse(
            request,
            "reviews/review_site/bids.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Your say on the cases before assignment"),
                "round": round,
                "categories": categories,
                "category": category,
                "page": page,
                "choices": [("", _("No preference")), *BidChoice.choices],
                "field_prefix": FIELD_PREFIX,
            },
        )
