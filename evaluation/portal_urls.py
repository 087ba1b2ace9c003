from django.urls import path

from . import portal

app_name = "evaluation_portal"
urlpatterns = [
    path("", portal.agency_report, name="report"),
]
