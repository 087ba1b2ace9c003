"""The reviewer admin site, mounted at /review/ by the site's URL configuration."""

from .sites import review_site

app_name = "admin"
urlpatterns = review_site.get_urls()
