from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.portal_dashboard, name="dashboard"),
    path("colleagues/", views.portal_colleagues, name="colleagues"),
    path("cases/new/", views.portal_case_new, name="case_new"),
    path("cases/<int:pk>/", views.portal_case_detail, name="case"),
    path("cases/<int:pk>/edit/", views.portal_case_edit, name="case_edit"),
    path("cases/<int:pk>/submit/", views.portal_case_submit, name="case_submit"),
    path("cases/<int:pk>/withdraw/", views.portal_case_withdraw, name="case_withdraw"),
    path("cases/<int:pk>/reopen/", views.portal_case_reopen, name="case_reopen"),
]
