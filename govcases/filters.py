"""Filters of the public case list (`/cases/`): category (code), level, province, year and a search `q`."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .enums import Level, Province
from .models import Category, PublishedCase, Round
from .search import search_terms


def _published_years():
    return [
        (year, str(year))
        for year in Round.objects.filter(publications__isnull=False)
        .values_list("year", flat=True)
        .distinct()
        .order_by("-year")
    ]


class PublishedCaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    category = django_filters.ModelChoiceFilter(
        label=_("Category"),
        field_name="category",
        to_field_name="code",
        queryset=Category.objects.filter(quotas__isnull=False).distinct().order_by("position", "pk"),
        empty_label=_("All categories"),
    )
    level = django_filters.ChoiceFilter(label=_("Level"), choices=Level.choices, empty_label=_("All levels"))
    province = django_filters.ChoiceFilter(
        label=_("Province"), choices=Province.choices, empty_label=_("All provinces")
    )
    year = django_filters.ChoiceFilter(
        label=_("Year"),
        field_name="publication__round__year",
        choices=_published_years,
        empty_label=_("All years"),
    )

    class Meta:
        model = PublishedCase
        fields = ["q", "category", "level", "province", "year"]

    def search(self, queryset, name, value):
        for word in search_terms(value).words:
            queryset = queryset.filter(
                Q(title__icontains=word) | Q(summary__icontains=word) | Q(agency_name__icontains=word)
            )
        return queryset
