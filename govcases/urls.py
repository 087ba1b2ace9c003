from django.contrib import admin
from django.urls import include, path

from . import files, views

urlpatterns = [
    path("", include("govcases.public_urls")),
    # The evaluation plugs in by name too: govcases never imports it.
    path("evaluation/", include("evaluation.public_urls")),
    path("portal/evaluation/", include("evaluation.portal_urls")),
    path("portal/", include("govcases.portal_urls")),
    path("accounts/home/", views.home_after_login, name="home-after-login"),
    # Sign-in, the second factor and passwords plug in by name, as reviews do.
    path("accounts/", include("accounts.urls")),
    path("i18n/setlang/", views.language_switch, name="set_language"),
    path("healthz", views.healthz, name="healthz"),
    # Uploaded files, each behind a permission check; MEDIA_ROOT is never served by its path.
    path("files/<path:name>", files.case_file, name="case-file"),
    # Reviews plug in by name: govcases never imports reviews.
    path("review/", include("reviews.urls", namespace="review")),
    path("evaluate/", include("evaluation.urls", namespace="evaluate")),
    path("admin/", admin.site.urls),
]

handler400 = "govcases.views.bad_request"
handler403 = "govcases.views.permission_denied"
handler404 = "govcases.views.page_not_found"
handler500 = "govcases.views.server_error"
