"""The evaluators' admin site, mounted at /evaluate/ by the site's URL configuration (its pages are registered
by evaluation.admin, which Django's admin autodiscovery imports)."""

from .sites import evaluate_site

app_name = "admin"
urlpatterns = evaluate_site.get_urls()
