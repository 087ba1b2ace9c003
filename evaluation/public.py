"""The evaluation's public page and open data, read from its frozen publications only."""

import json

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from govcases.pagecache import cached_until

from . import opendata, phrasing, selectors
from .enums import Tier

BAR_WIDTH = 300
LABEL_WIDTH = 150
BAR_PITCH = 20


def _version(request) -> int | None:
    value = request.GET.get("version")
    if value is None:
        return None
    if not value.isdecimal() or len(value) > 5:
        raise Http404("Unknown version")
    return int(value)


def _chart(totals: list[dict]) -> dict:
    """Bars on a 0–100 scale, one per agency of the group, in rank order."""
    bars = [
        {
            "label": row["agency"],
            "rank": row["rank"],
            "total": row["total"],
            "width": round(float(row["total"]) / 100 * BAR_WIDTH, 1),
            "y": index * BAR_PITCH,
            "value_x": LABEL_WIDTH + round(float(row["total"]) / 100 * BAR_WIDTH) + 4,
        }
        for index, row in enumerate(totals)
    ]
    return {"bars": bars, "height": max(len(bars), 1) * BAR_PITCH, "width": LABEL_WIDTH + BAR_WIDTH + 56}


def page_context(publication, language: str) -> dict:
    english = not language.startswith("zh")
    sentence = phrasing.ranking_sentence_en if english else phrasing.ranking_sentence_zh
    data = publication.data
    groups = [
        {
            "code": group["code"],
            "name": group["name_en"] if english else group["name"],
            "sentence": sentence([(row["rank"], row["agencies"]) for row in group["ranking"]]),
            "median": group["median"],
            "chart": _chart(group["totals"]),
        }
        for group in data["groups"]
    ]
    tiers = [
        {
            "code": tier["code"],
            "name": tier["name_en"] if english else tier["group"],
            "excellent": tier["excellent"],
            "good": tier["good"],
        }
        for tier in data["tiers"]
    ]
    return {
        "publication": publication,
        "data": data,
        "groups": groups,
        "tiers": tiers,
        "dimensions": data["dimensions"],
        "english": english,
        "label_width": LABEL_WIDTH,
        "versions": selectors.publication_versions(publication=publication),
    }


@require_safe
@cached_until(selectors.publications_stamp)
def evaluation_page(request, year: int):
    publication = selectors.publication_get(year=year, version=_version(request))
    return render(request, "evaluation/public.html", page_context(publication, request.LANGUAGE_CODE))


def _json(publication) -> bytes:
    return json.dumps(
        opendata.publication_data(publication=publication), ensure_ascii=False, indent=1
    ).encode()


FORMATS = {
    "json": ("application/json", _json),
    "csv": ("text/csv; charset=utf-8", opendata.publication_csv),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", opendata.publication_xlsx),
}


def _open_data(request, year: int, kind: str) -> HttpResponse:
    publication = selectors.publication_get(year=year, version=_version(request))
    content_type, write = FORMATS[kind]
    response = HttpResponse(write(publication), content_type=content_type)
    if kind != "json":
        response["Content-Disposition"] = f'attachment; filename="evaluation-{year}.{kind}"'
    return response


@require_safe
@cached_until(selectors.publications_stamp)
def evaluation_data(request):
    """What each column and key of the open data means, with the published years' downloads."""
    return render(
        request,
        "evaluation/data.html",
        {
            "columns": opendata.COLUMNS,
            "groups": opendata.GROUPS,
            "tiers": Tier.choices,
            "years": selectors.published_years(),
            "english": not request.LANGUAGE_CODE.startswith("zh"),
        },
    )


# Kept in the cache as the pages are, until the next publication of an evaluation.
@require_safe
@cached_until(selectors.publications_stamp)
def evaluation_json(request, year: int):
    return _open_data(request, year, "json")


@require_safe
@cached_until(selectors.publications_stamp)
def evaluation_csv(request, year: int):
    return _open_data(request, year, "csv")


@require_safe
@cached_until(selectors.publications_stamp)
def evaluation_xlsx(request, year: int):
    return _open_data(request, year, "xlsx")
