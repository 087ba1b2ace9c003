"""The organisers' boards of reviewing at /admin/: progress (with assignment and reminders) and the ranking
(with its exports). Each hangs on a proxy of Round; the list shows rounds, a round's page is the board."""

from django import forms
from django.contrib import admin, messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govcases import pagecache
from govcases.enums import Level
from govcases.exceptions import Refused
from govcases.models import Category, Round
from govcases.sites import Board

from . import exports, selectors, services
from .admin_access import case_admin_url
from .models import RankingBoard, ReviewProgress


class RoundBoardAdmin(Board, admin.ModelAdmin):
    """A list of rounds whose change page is a board rather than a form."""

    list_display = ["year", "title", "phase", "review_deadline", "board_link"]
    list_display_links = None

    @admin.display(description=gettext_lazy("board"))
    def board_link(self, round):
        url = reverse(f"admin:reviews_{self.opts.model_name}_change", args=[round.pk])
        return format_html('<a href="{}">{}</a>', url, _("Open"))

    def get_round(self, request, object_id) -> Round:
        round = self.get_object(request, object_id)
        if round is None or not self.has_view_permission(request, round):
            raise Http404
        return round

    def board_response(
        self, request, round, *, title: str, template: str, key: list, render
    ) -> TemplateResponse:
        """The admin page around a board, which `render()` renders apart.

        A board changes only when its round does (a review submitted, a case withdrawn, a decision staged...):
        it is rendered once per revision of the round (selectors.board_key) and whatever else `key` names.
        """
        board = pagecache.cached_fragment(
            request, [self.opts.model_name, *selectors.board_key(round), *key], render
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "round": round,
            "board": board,
            # A board's table or columns take the whole width.
            "is_nav_sidebar_enabled": False,
        }
        return TemplateResponse(request, template, context)


@admin.register(ReviewProgress)
class ReviewProgressAdmin(RoundBoardAdmin):
    actions = ["generate_assignments"]

    def get_urls(self):
        return [
            path(
                "<int:object_id>/reminders/",
                self.admin_site.admin_view(self.reminders_view),
                name="reviews_reviewprogress_reminders",
            ),
            path(
                "<int:object_id>/assign/",
                self.admin_site.admin_view(self.assign_view),
                name="reviews_reviewprogress_assign",
            ),
            *super().get_urls(),
        ]

    def _report(self, request, round, report) -> None:
        self.message_user(
            request,
            _("%(year)s: %(count)d assignments made.") % {"year": round.year, "count": report.created},
            messages.SUCCESS,
        )
        for case, reason in report.unfilled:
            self.message_user(
                request, f"{case.title}（{case.agency.display_name}）: {reason}", messages.WARNING
            )

    @admin.action(description=gettext_lazy("Assign reviewers to every case that still needs them"))
    def generate_assignments(self, request, queryset):
        for round in queryset:
            try:
                self._report(request, round, services.assignment_generate(round=round, by=request.user))
            except Refused as refused:
                self.message_user(request, f"{round.year}: {refused}", messages.ERROR)

    def assign_view(self, request, object_id):
        round = self.get_round(request, object_id)
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:reviews_reviewprogress_change", args=[round.pk]))
        self.generate_assignments(request, Round.objects.filter(pk=round.pk))
        return HttpResponseRedirect(reverse("admin:reviews_reviewprogress_change", args=[round.pk]))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        round = self.get_round(request, object_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Review progress: %(round)s") % {"round": round},
            "round": round,
            "progress": selectors.review_progress(round=round),
        }
        return TemplateResponse(request, "admin/reviews/progress.html", context)

    def reminders_view(self, request, object_id):
        """A preview of who gets which reminder; sending is a POST from this page."""
        round = self.get_round(request, object_id)
        if request.method == "POST":
            try:
                sent = services.review_reminders_send(round=round, by=request.user)
            except Refused as refused:
                self.message_user(request, str(refused), messages.ERROR)
            else:
                self.message_user(request, _("%(count)d reminders sent.") % {"count": sent}, messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:reviews_reviewprogress_change", args=[round.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Reminders: %(round)s") % {"round": round},
            "round": round,
            "reminders": services.review_reminders(round=round),
        }
        return TemplateResponse(request, "admin/reviews/reminders.html", context)


SORTABLE_SCORES = ["score", "mean", "median", "stdev", "range", "normalised", "reviews"]


class RankingFilterForm(forms.Form):
    category = forms.ModelChoiceField(
        Category.objects.order_by("position", "pk"), required=False, label=gettext_lazy("category")
    )
    level = forms.ChoiceField(
        choices=[("", "---------"), *Level.choices], required=False, label=gettext_lazy("level")
    )
    flagged = forms.BooleanField(required=False, label=gettext_lazy("disagreement only"))
    o = forms.ChoiceField(
        choices=[
            ("", gettext_lazy("rank")),
            *((key, key) for key in SORTABLE_SCORES),
            *((f"-{k}", k) for k in SORTABLE_SCORES),
        ],
        required=False,
        label=gettext_lazy("sort by"),
    )


@admin.register(RankingBoard)
class RankingBoardAdmin(RoundBoardAdmin):
    rows_per_page = 200

    def get_urls(self):
        return [
            path(
                "<int:object_id>/export.xlsx",
                self.admin_site.admin_view(self.export_xlsx),
                name="reviews_rankingboard_xlsx",
            ),
            path(
                "<int:object_id>/export.csv",
                self.admin_site.admin_view(self.export_csv),
                name="reviews_rankingboard_csv",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        round = self.get_round(request, object_id)
        return self.board_response(
            request,
            round,
            title=_("Ranking: %(round)s") % {"round": round},
            template="admin/reviews/ranking_board.html",
            key=[request.GET.urlencode()],
            render=lambda: self._board(request, round),
        )

    def _board(self, request, round) -> str:
        filters = RankingFilterForm(request.GET or None)
        cleaned = filters.cleaned_data if filters.is_valid() else {}
        rows = selectors.board_ranking(selectors.board_key(round))
        if cleaned.get("category"):
            rows = [row for row in rows if row.category.pk == cleaned["category"].pk]
        if cleaned.get("level"):
            rows = [row for row in rows if row.case.agency.level == cleaned["level"]]
        if cleaned.get("flagged"):
            rows = [row for row in rows if row.flagged]
        order = cleaned.get("o") or ""
        if order:
            key = order.lstrip("-")
            # "-mean" sorts highest first; cases without a score go last either way.
            present = [row for row in rows if getattr(row, key) is not None]
            absent = [row for row in rows if getattr(row, key) is None]
            present.sort(key=lambda row: getattr(row, key), reverse=order.startswith("-"))
            # Stable sorts: categories stay together, each sorted by the chosen score.
            present.sort(key=lambda row: row.category.position)
            rows = present + absent
        reviews_url = reverse("admin:reviews_review_changelist")
        # A national round ranks tens of thousands of cases: a page of them at a time stays readable.
        page = Paginator(rows, self.rows_per_page).get_page(request.GET.get("page"))
        context = {
            "round": round,
            "page": page,
            "page_urls": self._page_urls(request, page),
            "rows": [
                (row, case_admin_url(row.case.pk), f"{reviews_url}?assignment__case__id__exact={row.case.pk}")
                for row in page.object_list
            ],
            "filters": filters,
            "order": order,
            "sortable": SORTABLE_SCORES,
            "sort_urls": self._sort_urls(request, order),
        }
        return render_to_string("admin/reviews/ranking_board_body.html", context, request)

    @staticmethod
    def _page_urls(request, page) -> dict[str, str]:
        """Links to the previous and next pages, keeping the filters and the order."""
        urls = {}
        for name, exists, number in [
            ("previous", page.has_previous(), page.number - 1),
            ("next", page.has_next(), page.number + 1),
        ]:
            if exists:
                query = request.GET.copy()
                query["page"] = number
                urls[name] = f"?{query.urlencode()}"
        return urls

    @staticmethod
    def _sort_urls(request, order: str) -> dict[str, str]:
        """Links that sort by each column, keeping the filters; a second click reverses the order."""
        urls = {}
        for key in ["rank", *SORTABLE_SCORES]:
            query = request.GET.copy()
            query.pop("page", None)
            if key == "rank":
                query.pop("o", None)
            else:
                query["o"] = key if order == f"-{key}" else f"-{key}"
            urls[key] = f"?{query.urlencode()}"
        return urls

    def export_xlsx(self, request, object_id):
        round = self.get_round(request, object_id)
        response = HttpResponse(
            exports.scoring_xlsx(round=round),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="scoring-{round.year}.xlsx"'
        return response

    def export_csv(self, request, object_id):
        round = self.get_round(request, object_id)
        response = HttpResponse(exports.scoring_csv(round=round), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="scoring-{round.year}.csv"'
        return response
