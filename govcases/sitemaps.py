"""sitemap.xml: the public site's pages, for search engines (django.contrib.sitemaps)."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from . import selectors


class PublicPagesSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return ["public:home", "public:archive", "public:cases", "public:data"]

    def location(self, item):
        return reverse(item)


class ResultsSitemap(Sitemap):
    """Every published year's results and statistics."""

    def items(self):
        return [
            (name, year.latest)
            for year in selectors.publication_archive()
            for name in ("public:results", "public:stats")
        ]

    def location(self, item):
        name, publication = item
        return reverse(name, args=[publication.round.year])

    def lastmod(self, item):
        return item[1].published_at


class CasesSitemap(Sitemap):
    """Every case of the latest version of each published round."""

    limit = 5000

    def items(self):
        return selectors.published_case_list()

    def location(self, published_case):
        return reverse("public:case", args=[published_case.case_id])

    def lastmod(self, published_case):
        return published_case.publication.published_at


SITEMAPS = {"pages": PublicPagesSitemap, "results": ResultsSitemap, "cases": CasesSitemap}
