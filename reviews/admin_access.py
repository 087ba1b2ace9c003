from django.urls import NoReverseMatch, reverse


def case_admin_url(case_id: int) -> str | None:
    try:
        return reverse("admin:govcases_case_change", args=[case_id])
    except NoReverseMatch:
        return None
