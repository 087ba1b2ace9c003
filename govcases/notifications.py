"""E-mails to agencies and reviewers. Texts come from EmailTemplate rows the organisers edit in the admin;
the defaults below are used until they do. Everything is sent only after the transaction commits."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template import Context, Template
from django.utils.translation import gettext_lazy as _

from .enums import CaseStatus
from .models import Agency, AgencyMember, Case, EmailTemplate

DEFAULTS = {
    "case_submitted": (
        _("Case received: {{ case.reference }}"),
        _(
            "Dear {{ agency.name }},\n\nyour case “{{ case.title }}” was received on {{ case.submitted_at }}."
            "\nReference number: {{ case.reference }}.\n"
        ),
    ),
    "case_returned": (
        _("Case returned for correction: {{ case.title }}"),
        _("Dear {{ agency.name }},\n\nthe organisers returned your case “{{ case.title }}”:\n{{ reason }}\n"),
    ),
    "outcome_selected": (
        _("Your case was selected: {{ case.title }}"),
        _(
            "Dear {{ agency.name }},\n\nyour case “{{ case.title }}” is among the selected cases of "
            "{{ round.title }}.\n{{ url }}\n"
        ),
    ),
    "outcome_not_selected": (
        _("Result of {{ round.title }}: {{ case.title }}"),
        _(
            "Dear {{ agency.name }},\n\nthank you for submitting “{{ case.title }}”. It was not among the "
            "selected cases of {{ round.title }}.\n"
        ),
    ),
    "review_reminder": (
        _("Reviews waiting for you"),
        _("Dear {{ reviewer }},\n\n{{ count }} reviews are waiting for you:\n{{ cases }}\n{{ url }}\n"),
    ),
    "invitation": (
        _("Your account for the case portal"),
        _(
            "Hello {{ user.username }},\n\nan account was made for you. Choose your password here:\n{{ url }}\n"
        ),
    ),
}


def render(key: str, context: dict) -> tuple[str, str]:
    template = EmailTemplate.objects.filter(key=key).first()
    subject, body = (
        (template.subject, template.body) if template else (str(DEFAULTS[key][0]), str(DEFAULTS[key][1]))
    )
    ctx = Context(context, autoescape=False)
    return Template(subject).render(ctx).strip().replace("\n", " "), Template(body).render(ctx)


def send_on_commit(key: str, recipients: list[str], context: dict) -> None:
    recipients = [address for address in recipients if address]
    if not recipients:
        return
    subject, body = render(key, context)
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=False)
    )


def agency_recipients(agency) -> list[str]:
    addresses = [agency.email, *agency.members.values_list("user__email", flat=True)]
    return sorted({address for address in addresses if address})


def case_status_changed(*, case, from_status: str) -> None:
    keys = {CaseStatus.SUBMITTED: "case_submitted", CaseStatus.RETURNED: "case_returned"}
    key = keys.get(case.status)
    if key:
        reason = case.transitions.order_by("-at", "-pk").values_list("reason", flat=True).first() or ""
        send_on_commit(
            key,
            agency_recipients(case.agency),
            {"case": case, "agency": case.agency, "round": case.round, "reason": reason},
        )


def outcome_recipient_count(*, cases) -> int:
    """How many addresses the outcome e-mails of these cases go to (what the publication's confirmation
    page announces)."""
    agencies = cases.values("agency")
    contacts = set(
        Agency.objects.filter(pk__in=agencies).exclude(email="").values_list("email", flat=True)
    ) | set(
        AgencyMember.objects.filter(agency__in=agencies)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    return len(contacts)


def round_published(*, publication) -> None:
    """Tells every agency with a case in the outcome whether it was selected (first version only)."""
    if publication.version != 1:
        return
    round = publication.round
    for case in Case.objects.filter(
        round=round, status__in=[CaseStatus.PUBLISHED, CaseStatus.NOT_SELECTED]
    ).select_related("agency"):
        key = "outcome_selected" if case.status == CaseStatus.PUBLISHED else "outcome_not_selected"
        url = f"{settings.SITE_URL}/cases/{case.pk}/"
        send_on_commit(
            key,
            agency_recipients(case.agency),
            {"case": case, "agency": case.agency, "round": round, "url": url},
        )
