from django.contrib.sitemaps.views import sitemap
from django.urls import path

from . import public
from .sitemaps import SITEMAPS

app_name = "public"
urlpatterns = [
    path("", public.home, name="home"),
    path("results/", public.archive, name="archive"),
    path("results/<int:year>/", public.results, name="results"),
    path("results/<int:year>/stats/", public.stats, name="stats"),
    path("results/<int:year>.json", public.results_json, name="results-json"),
    path("results/<int:year>.csv", public.results_csv, name="results-csv"),
    path("results/<int:year>.xlsx", public.results_xlsx, name="results-xlsx"),
    path("results/<int:year>.pdf", public.results_pdf, name="results-pdf"),
    path("cases/", public.case_list, name="cases"),
    path("cases/<int:case_id>/", public.case_detail, name="case"),
    path("data/", public.data, name="data"),
    path("robots.txt", public.robots_txt, name="robots"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
]
