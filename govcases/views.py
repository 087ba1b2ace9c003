from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.views.decorators.cache import never_cache

from .permissions import is_agency_staff, is_organiser, is_reviewer


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True


@login_required
def home_after_login(request):
    """Sends each role to where its work is."""
    user = request.user
    if is_organiser(user):
        return redirect("admin:index")
    if is_reviewer(user):
        return redirect("review:index")
    if is_agency_staff(user):
        return redirect("portal:dashboard")
    return redirect("public:home")


@never_cache
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No context processors or database access: this page must render when the database is down.
    return HttpResponseServerError(loader.get_template("500.html").render())


@login_required
def portal_dashboard(request):
    return render(request, "govcases/portal/dashboard.html", {})
