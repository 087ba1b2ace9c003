from django.urls import path

from . import public

app_name = "evaluation"
urlpatterns = [
    path("data/", public.evaluation_data, name="data"),
    path("<int:year>/", public.evaluation_page, name="page"),
    path("<int:year>.json", public.evaluation_json, name="json"),
    path("<int:year>.csv", public.evaluation_csv, name="csv"),
    path("<int:year>.xlsx", public.evaluation_xlsx, name="xlsx"),
]
