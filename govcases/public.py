"""The public site: published rounds only, read from their frozen publications (govcases.selectors)."""

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from . import opendata, selectors
from .enums import Level
from .filters import PublishedCaseFilter
from .models import Publication
from .pagecache import cached_for_the_public
from .search import search_terms

CASES_PER_PAGE = 24
BAR_WIDTH = 280
LABEL_WIDTH = 130


def _version(request) -> int | None:
    value = request.GET.get("version")
    if value is None:
        return None
    if not value.isdecimal():  # not isdigit: "²" is a digit that int() refuses
        raise Http404("Unknown version")
    return int(value)


def _headline(publication: Publication, groups) -> str:
    # Translators: the announcement's headline, e.g. 从509份推荐案例中遴选出4大类共50个
    return _(
        "From %(submitted)d recommended cases, %(selected)d cases in %(categories)d categories were selected"
    ) % {
        "submitted": publication.submitted,
        "selected": sum(len(group.cases) for group in groups),
        "categories": sum(1 for group in groups if group.cases),
    }


@require_safe
@cached_for_the_public
def home(request):
    rounds = selectors.published_rounds()
    if not rounds:
        return render(request, "govcases/public/home.html", {"publication": None})
    publication = rounds[0]
    groups = selectors.publication_groups(publication=publication)
    return render(
        request,
        "govcases/public/home.html",
        {
            "publication": publication,
            "headline": _headline(publication, groups),
            "groups": groups,
            "earlier": rounds[1:],
        },
    )


@require_safe
@cached_for_the_public
def results(request, year: int):
    publication = selectors.publication_get(year=year, version=_version(request))
    groups = selectors.publication_groups(publication=publication)
    return render(
        request,
        "govcases/public/results.html",
        {
            "publication": publication,
            "headline": _headline(publication, groups),
            "groups": groups,
            "versions": selectors.publication_versions(publication=publication),
        },
    )


def _bars(rows: list[tuple[str, int, int]]) -> list[dict]:
    """Bar lengths for the statistics charts: submissions and selections on one scale per chart."""
    largest = max([submitted for _label, submitted, _selected in rows] + [1])
    return [
        {
            "label": label,
            "submitted": submitted,
            "selected": selected,
            "rate": (selected / submitted * 100) if submitted else 0,
            "submitted_width": round(submitted / largest * BAR_WIDTH, 1),
            "selected_width": round(selected / largest * BAR_WIDTH, 1),
            "y": index * 44,
            # Where the number beside each bar starts (whole pixels: the template adds them).
            "submitted_end": round(submitted / largest * BAR_WIDTH) + 4,
            "selected_end": round(selected / largest * BAR_WIDTH) + 4,
        }
        for index, (label, submitted, selected) in enumerate(rows)
    ]


@require_safe
@cached_for_the_public
def stats(request, year: int):
    publication = selectors.publication_get(year=year, version=_version(request))
    groups = selectors.publication_groups(publication=publication)
    by_code = publication.counts.get("categories", {})
    category_rows = [
        (
            str(group.category),
            by_code.get(group.category.code, {}).get("submitted", 0),
            by_code.get(group.category.code, {}).get("selected", len(group.cases)),
        )
        for group in groups
    ]
    level_rows = [
        (Level(level).label, numbers.get("submitted", 0), numbers.get("selected", 0))
        for level, numbers in selectors.level_counts(publication.counts)
        if numbers.get("submitted") or numbers.get("selected")
    ]
    charts = [
        {"id": "by-category", "title": _("By category"), "bars": _bars(category_rows)},
        {"id": "by-level", "title": _("By level"), "bars": _bars(level_rows)},
    ]
    for chart in charts:
        chart["height"] = max(len(chart["bars"]), 1) * 44
    return render(
        request,
        "govcases/public/stats.html",
        {
            "publication": publication,
            "headline": _headline(publication, groups),
            "charts": charts,
            "label_width": LABEL_WIDTH,
            "chart_width": LABEL_WIDTH + BAR_WIDTH + 48,
        },
    )


@require_safe
@cached_for_the_public
def case_list(request):
    filterset = PublishedCaseFilter(request.GET, queryset=selectors.published_case_list())
    # An unknown filter value matches nothing rather than being silently dropped.
    cases = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    page = Paginator(cases, CASES_PER_PAGE).get_page(request.GET.get("page"))
    for published_case in page.object_list:
        selectors.with_image_urls(published_case)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "govcases/public/case_list.html",
        {
            "filter": filterset,
            "page": page,
            "query": query.urlencode(),
            "search_notice": search_terms(request.GET.get("q", "")).notice(),
        },
    )


@require_safe
@cached_for_the_public
def case_detail(request, case_id: int):
    published_case = selectors.published_case_get(case_id=case_id)
    return render(request, "govcases/public/case_detail.html", {"case": published_case})


def _data(request, year: int) -> dict:
    publication = selectors.publication_get(year=year, version=_version(request))
    return opendata.publication_data(publication=publication, build_absolute_uri=request.build_absolute_uri)


@require_safe
@cached_for_the_public
def results_json(request, year: int):
    return JsonResponse(_data(request, year), json_dumps_params={"ensure_ascii": False, "indent": 1})


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
@cached_for_the_public
def results_csv(request, year: int):
    return _download(
        opendata.publication_csv(_data(request, year)), "text/csv; charset=utf-8", f"results-{year}.csv"
    )


@require_safe
@cached_for_the_public
def results_xlsx(request, year: int):
    return _download(
        opendata.publication_xlsx(_data(request, year)),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"results-{year}.xlsx",
    )
