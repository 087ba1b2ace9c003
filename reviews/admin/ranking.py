"""The ranking board of a round at /admin/: every case per category in rank order, filtered, sorted and paged,
with its exports, and for a flagged case its discussion and one more reviewer (reviews.admin.discussion)."""

from django import forms
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govcases.enums import Level, Phase, RankingScore
from govcases.models import Category

from .. import discussion, exports, selectors
from .base import RoundBoard
from .discussion import CaseDisagreementViews

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


def case_admin_url(case_id: int) -> str | None:
    """A case's page in the organisers' admin, if the site has one."""
    try:
        return reverse("admin:govcases_case_change", args=[case_id])
    except NoReverseMatch:
        return None


class RankingBoard(CaseDisagreementViews, RoundBoard):
    name = "rankingboard"
    verbose_name_plural = gettext_lazy("ranking boards")
    template = "admin/reviews/ranking_board.html"
    # A national round ranks tens of thousands of cases: a page of them at a time stays readable.
    rows_per_page = 200

    def title(self, round):
        return _("Ranking: %(round)s") % {"round": round}

    def extra_urls(self):
        return [
            path("<int:round_id>/export.xlsx", self.view(self.export_xlsx), name=self.url_name("xlsx")),
            path("<int:round_id>/export.csv", self.view(self.export_csv), name=self.url_name("csv")),
            *self.disagreement_urls(),
        ]

    def board_context(self, request, round):
        # Rendered once per revision of the round, filter, order and page.
        return {
            "board_body": self.cached(
                request,
                round,
                [request.GET.urlencode()],
                "admin/reviews/ranking_board_body.html",
                lambda: self._body_context(request, round),
            )
        }

    def _body_context(self, request, round) -> dict:
        filters = RankingFilterForm(request.GET or None)
        cleaned = filters.cleaned_data if filters.is_valid() else {}
        rows = selectors.board_ranking(selectors.board_key(round))
        stability = selectors.cut_line_stability(round=round, rows=rows)
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
        page = Paginator(rows, self.rows_per_page).get_page(request.GET.get("page"))
        return {
            "round": round,
            "page": page,
            "page_urls": self._page_urls(request, page),
            "rows": [
                (
                    row,
                    case_admin_url(row.case.pk),
                    f"{reviews_url}?assignment__case__id__exact={row.case.pk}",
                    stability.get(row.case.pk),
                )
                for row in page.object_list
            ],
            "other_score_heading": (
                _("By the mean")
                if round.ranking_score == RankingScore.NORMALISED
                else _("By the normalised score")
            ),
            "filters": filters,
            "add_reviewer_open": round.phase == Phase.REVIEW,
            "closed_discussions": discussion.closed_discussions(round_id=round.pk),
            "order": order,
            "sortable": SORTABLE_SCORES,
            "sort_urls": self._sort_urls(request, order),
        }

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

    def export_xlsx(self, request, round_id):
        round = self.get_round(round_id)
        response = HttpResponse(
            exports.scoring_xlsx(round=round),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="scoring-{round.year}.xlsx"'
        return response

    def export_csv(self, request, round_id):
        round = self.get_round(round_id)
        response = HttpResponse(exports.scoring_csv(round=round), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="scoring-{round.year}.csv"'
        return response
