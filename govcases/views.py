from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.db import OperationalError, connection
from django.db.migrations.executor import MigrationExecutor
from django.forms.models import model_to_dict
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language

from . import selectors, services
from .enums import CaseStatus
from .exceptions import Refused
from .forms import CaseFilesForm, CaseForm, WithdrawForm
from .models import Case, Round
from .people_import import RowForm as ColleagueInviteForm
from .permissions import RUN_ROUND, USE_PORTAL, allowed

# The language switch stands on every page, the cached public pages included. Choosing the language a page
# is shown in is nothing anyone gains by forging, so the switch carries no CSRF token: a cached public page
# then holds nothing that belongs to one visitor, and is stored as it was rendered.
language_switch = csrf_exempt(set_language)


@login_required
def home_after_login(request):
    """Sends each role to where its work is."""
    user = request.user
    if allowed(user, RUN_ROUND):
        return redirect("admin:index")
    if allowed(user, "reviews.review"):
        return redirect("review:index")
    if allowed(user, "evaluation.evaluate"):
        return redirect("evaluate:index")
    if allowed(user, USE_PORTAL):
        return redirect("portal:dashboard")
    return redirect("public:home")


_migrated = False  # once every migration is applied, it stays so for the life of the process


def _migrations_applied() -> bool:
    global _migrated
    if not _migrated:
        executor = MigrationExecutor(connection)
        _migrated = not executor.migration_plan(executor.loader.graph.leaf_nodes())
    return _migrated


@never_cache
def healthz(request):
    """200 only when the database answers and holds every migration: a server whose database is missing,
    empty or behind the code takes no traffic."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        migrated = _migrations_applied()
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        return JsonResponse({"status": "unavailable"}, status=503)
    if not migrated:
        return JsonResponse({"status": "unavailable", "reason": "migrations not applied"}, status=503)
    return JsonResponse({"status": "ok"})


def bad_request(request, exception=None):
    # Django answers a request over DATA_UPLOAD_MAX_MEMORY_SIZE with a 400; it is a 413 and says why.
    if isinstance(exception, RequestDataTooBig):
        return render(request, "413.html", {"limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE}, status=413)
    return render(request, "400.html", status=400)


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No context processors or database access: this page must render when the database is down.
    return HttpResponseServerError(loader.get_template("500.html").render())


# The agency portal. Officers see and change only their own agency's cases (another agency's case is a 404);
# every change goes through a service that checks the round's phase, the deadline and the case's status.


def portal_required(view):
    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not allowed(request.user, USE_PORTAL):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _own_case(request, pk: int) -> Case:
    return selectors.portal_case_get(agency_id=request.user.agency_membership.agency_id, pk=pk)


@portal_required
def portal_dashboard(request):
    agency = request.user.agency_membership.agency
    cases = selectors.portal_cases(agency=agency)
    open_round = selectors.portal_open_round()
    return render(
        request,
        "govcases/portal/dashboard.html",
        {
            "agency": agency,
            "cases": cases,
            "open_round": open_round,
            "can_add": open_round is not None and open_round.submission_open(),
        },
    )


@portal_required
def portal_colleagues(request):
    """An officer's colleagues in the portal, and an invitation for a new one of the same agency."""
    agency = request.user.agency_membership.agency
    form = ColleagueInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.agency_member_invite(
                agency=agency,
                email=form.cleaned_data["email"],
                name=form.cleaned_data["name"],
                by=request.user,
                language=get_language() or settings.LANGUAGE_CODE,
            )
        except Refused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(
                request,
                _("The invitation to %(email)s is on its way.") % {"email": form.cleaned_data["email"]},
            )
            return redirect("portal:colleagues")
    return render(
        request,
        "govcases/portal/colleagues.html",
        {"agency": agency, "colleagues": selectors.portal_colleagues(agency=agency), "form": form},
    )


def _case_context(case: Case) -> dict:
    open_now = case.round.submission_open()
    return {
        "case": case,
        "portal_status": selectors.portal_status_label(case),
        "outcome": selectors.portal_outcome(case),
        "can_edit": open_now and case.editable,
        "can_withdraw": open_now and case.status == CaseStatus.SUBMITTED,
        "can_reopen": open_now and case.status == CaseStatus.WITHDRAWN,
        "show_receipt": bool(case.reference and case.submitted_at),
    }


@portal_required
def portal_case_detail(request, pk: int):
    case = _own_case(request, pk)
    context = _case_context(case)
    context["images"] = case.images.all()
    context["attachments"] = case.attachments.all()
    transitions = list(case.transitions.all())
    context["transitions"] = selectors.portal_history(case, transitions)
    context["return_reason"] = selectors.return_reason(case, transitions)
    context["screening_reason"] = selectors.screening_reason(case)
    context["feedback"] = selectors.portal_feedback(case)
    return render(request, "govcases/portal/case_detail.html", context)


def _render_form(request, *, round: Round, case: Case | None, form, problems=(), status: int = 200):
    return render(
        request,
        "govcases/portal/case_form.html",
        {
            "round": round,
            "case": case,
            "form": form,
            "files_form": CaseFilesForm(),
            "problems": list(problems),
            "images": case.images.all() if case else [],
            "attachments": case.attachments.all() if case else [],
            "return_reason": selectors.return_reason(case) if case else "",
        },
        status=status,
    )


def _valid_fields(form: CaseForm) -> dict:
    """The fields that passed validation: saved even when a neighbour did not, so nothing typed is lost."""
    form.is_valid()
    return {name: value for name, value in form.cleaned_data.items() if name not in form.errors}


def _apply_files_and_buttons(request, case: Case) -> list[str]:
    """Adds the uploaded files and performs the image/attachment button pressed; returns what was refused."""
    problems = []
    files = CaseFilesForm(request.POST, request.FILES)
    files.is_valid()
    uploads = [(upload, services.case_image_add) for upload in files.cleaned_data.get("images", [])]
    uploads += [
        (upload, services.case_attachment_add) for upload in files.cleaned_data.get("attachments", [])
    ]
    for upload, add in uploads:
        try:
            add(case=case, by=request.user, upload=upload)
        except ValidationError as refused:
            problems.extend(refused.messages)
        except Refused as refused:
            problems.append(str(refused))
    buttons = {
        "image_remove": lambda image: services.case_image_remove(image=image, by=request.user),
        "image_up": lambda image: services.case_image_move(image=image, by=request.user, offset=-1),
        "image_down": lambda image: services.case_image_move(image=image, by=request.user, offset=1),
    }
    for name, act in buttons.items():
        if request.POST.get(name, "").isdecimal():  # not isdigit: "²" is a digit that int() refuses
            act(get_object_or_404(case.images.select_related("case"), pk=request.POST[name]))
    if request.POST.get("attachment_remove", "").isdecimal():
        attachment = get_object_or_404(
            case.attachments.select_related("case"), pk=request.POST["attachment_remove"]
        )
        services.case_attachment_remove(attachment=attachment, by=request.user)
    return problems


def _submission_form(case: Case, refused: ValidationError) -> CaseForm:
    """The case's saved values with each missing field marked, as submission found them."""
    form = CaseForm(model_to_dict(case, fields=services.CASE_FIELDS), instance=case, round=case.round)
    form.is_valid()
    for field, messages_ in refused.message_dict.items():
        for message in messages_:
            form.add_error(field if field in form.fields else None, message)
    return form


def _submit(request, case: Case, form: CaseForm | None = None):
    try:
        case = services.case_submit(case=case, by=request.user)
    except ValidationError as refused:
        case.refresh_from_db()
        form = _submission_form(case, refused)
        return _render_form(request, round=case.round, case=case, form=form)
    messages.success(
        request,
        _("Your case was submitted. Reference number: %(reference)s.") % {"reference": case.reference},
    )
    return redirect("portal:case", pk=case.pk)


@portal_required
def portal_case_new(request):
    round = selectors.portal_open_round()
    if round is None or not round.submission_open():
        messages.error(request, _("Cases can be added only while submissions are open."))
        return redirect("portal:dashboard")
    if request.method != "POST":
        return _render_form(request, round=round, case=None, form=CaseForm(round=round))
    # Bound even to an empty POST, which saves an untitled draft like any other incomplete one.
    form = CaseForm(request.POST, round=round)
    case = None
    try:
        case = services.case_create(round=round, by=request.user, data=_valid_fields(form))
        return _after_save(request, case, form)
    except Refused as refused:
        messages.error(request, str(refused))
        return redirect("portal:dashboard")
    except OperationalError:
        return _render_busy(request, round=round, case=case, form=form)


@portal_required
def portal_case_edit(request, pk: int):
    case = _own_case(request, pk)
    if request.method != "POST":
        try:
            services.case_check_editable(case=case, by=request.user)
        except Refused as refused:
            messages.error(request, str(refused))
            return redirect("portal:case", pk=case.pk)
        return _render_form(
            request, round=case.round, case=case, form=CaseForm(instance=case, round=case.round)
        )
    form = CaseForm(request.POST, instance=case, round=case.round)
    try:
        saved = services.case_update(case=case, by=request.user, data=_valid_fields(form))
        return _after_save(request, saved, form)
    except Refused as refused:
        # Nothing was saved (the deadline passed, say): show the typed text again so that it is not lost.
        messages.error(request, str(refused))
        return _render_form(request, round=case.round, case=case, form=form)
    except OperationalError:
        return _render_busy(request, round=case.round, case=case, form=form)


def _render_busy(request, *, round: Round, case: Case | None, form: CaseForm):
    """The form again, as typed, when the database stayed locked (or out of reach) longer than the wait."""
    messages.error(
        request,
        _(
            "The site is too busy to save your changes right now. What you typed is still in the form "
            "below: please try again in a moment."
        ),
    )
    return _render_form(request, round=round, case=case, form=form)


def _after_save(request, case: Case, form: CaseForm):
    try:
        problems = _apply_files_and_buttons(request, case)
    except Refused as refused:
        problems = [str(refused)]
    if problems or form.errors:
        # Re-show what was typed (the valid part is already saved) with every problem at the top.
        return _render_form(request, round=case.round, case=case, form=form, problems=problems)
    if request.POST.get("action") == "submit":
        try:
            return _submit(request, case)
        except Refused as refused:
            messages.error(request, str(refused))
            return redirect("portal:case", pk=case.pk)
    if request.POST.get("action") == "save":
        messages.success(request, _("Draft saved."))
    return redirect("portal:case_edit", pk=case.pk)


@require_POST
@portal_required
def portal_case_submit(request, pk: int):
    case = _own_case(request, pk)
    try:
        return _submit(request, case)
    except Refused as refused:
        messages.error(request, str(refused))
        return redirect("portal:case", pk=case.pk)


@require_http_methods(["GET", "POST"])
@portal_required
def portal_case_withdraw(request, pk: int):
    """A page that says what withdrawing does; only its confirmed form withdraws the case."""
    case = _own_case(request, pk)
    form = WithdrawForm(request.POST if request.POST.get("confirmed") else None)
    if form.is_bound and form.is_valid():
        try:
            services.case_withdraw(case=case, by=request.user, reason=form.cleaned_data["reason"])
        except Refused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(
                request, _("Your case was withdrawn. You can reopen it as a draft before the deadline.")
            )
        return redirect("portal:case", pk=case.pk)
    try:
        services.case_check_transition(case=case, to=CaseStatus.WITHDRAWN, by=request.user)
        refusal = ""
    except Refused as refused:
        refusal = str(refused)
    return render(
        request,
        "govcases/portal/case_withdraw.html",
        {"case": case, "form": form, "refusal": refusal},
    )


@require_POST
@portal_required
def portal_case_reopen(request, pk: int):
    case = _own_case(request, pk)
    try:
        services.case_reopen(case=case, by=request.user)
    except Refused as refused:
        messages.error(request, str(refused))
        return redirect("portal:case", pk=case.pk)
    messages.success(request, _("Your case is a draft again. Submit it once it is ready."))
    return redirect("portal:case_edit", pk=case.pk)
