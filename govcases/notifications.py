"""The e-mails of a round, written to the outbox (govcases.outbox) in the caller's transaction.

Each kind of message has a default text in English and Chinese (gettext) and may be replaced per language by
an EmailTemplate the organisers edit in the admin; texts use Django's template language with the placeholders
listed in KINDS. Every message is rendered in its recipient's language (Profile.language; an agency's contact
address gets the site's default language).
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .enums import CaseStatus
from .models import Agency, AgencyMember, Case, EmailTemplate, OutboxMessage, TriageDecision
from .outbox import outbox_queue
from .permissions import ORGANISERS


@dataclass(frozen=True)
class Kind:
    label: str
    placeholders: str
    subject: str
    body: str


KINDS = {
    "case_submitted": Kind(
        _("Case received"),
        "agency, case, round",
        _("Case received: {{ case.reference }}"),
        _(
            "Dear {{ agency.name }},\n\nyour case “{{ case.title }}” was received on {{ case.submitted_at }}."
            "\nReference number: {{ case.reference }}.\n"
        ),
    ),
    "case_returned": Kind(
        _("Case returned for correction"),
        "agency, case, round, reason, url, deadline",
        _("Case returned for correction: {{ case.title }}"),
        _(
            "Dear {{ agency.name }},\n\nthe organisers returned your case “{{ case.title }}” for correction:\n"
            "{{ reason }}\n\nCorrect it and submit it again before {{ deadline }} ({{ deadline|timeuntil }} "
            "left):\n{{ url }}\n"
        ),
    ),
    "outcome_selected": Kind(
        _("Outcome: selected"),
        "agency, case, round, url",
        _("Your case was selected: {{ case.title }}"),
        _(
            "Dear {{ agency.name }},\n\nyour case “{{ case.title }}” is among the selected cases of "
            "{{ round.title }}.\n{{ url }}\n"
        ),
    ),
    "outcome_not_selected": Kind(
        _("Outcome: not selected"),
        "agency, case, round, url",
        _("Result of {{ round.title }}: {{ case.title }}"),
        _(
            "Dear {{ agency.name }},\n\nthank you for submitting “{{ case.title }}”. It was not among the "
            "selected cases of {{ round.title }}.\n{{ url }}\n"
        ),
    ),
    "outcome_screened_out": Kind(
        _("Outcome: screened out in triage"),
        "agency, case, round, reason, url",
        _("Result of {{ round.title }}: {{ case.title }}"),
        _(
            "Dear {{ agency.name }},\n\nthank you for submitting “{{ case.title }}”. It did not pass the "
            "organisers' triage of {{ round.title }} and was not scored by the experts."
            "{% if reason %}\nReason: {{ reason }}{% endif %}\n{{ url }}\n"
        ),
    ),
    "call_for_cases": Kind(
        _("Call for cases"),
        "agency, round, deadline, url",
        _("Call for cases: {{ round.title }}"),
        _(
            "Dear {{ agency.name }},\n\nsubmissions to {{ round.title }} are open until {{ deadline }}. "
            "Read the guidelines and submit your cases in the portal:\n{{ url }}\n"
        ),
    ),
    "draft_reminder": Kind(
        _("Reminder: drafts not submitted"),
        "agency, round, deadline, count, cases, url",
        _("{{ count }} draft cases not yet submitted to {{ round.title }}"),
        _(
            "Dear {{ agency.name }},\n\n{{ count }} of your cases are not submitted yet:\n{{ cases }}\n\n"
            "The deadline is {{ deadline }} ({{ deadline|timeuntil }} left). Submit them in the portal:\n"
            "{{ url }}\n"
        ),
    ),
    "review_assigned": Kind(
        _("Cases assigned to a reviewer"),
        "reviewer, round, count, deadline, url",
        _("{{ count }} cases to review for {{ round.title }}"),
        _(
            "Dear {{ reviewer }},\n\n{{ count }} cases of {{ round.title }} were assigned to you for review."
            "{% if deadline %} Please score them before {{ deadline }}.{% endif %}\n{{ url }}\n"
        ),
    ),
    "review_reminder": Kind(
        _("Reminder: reviews pending"),
        "reviewer, round, count, cases, deadline, url",
        _("Reviews waiting for you"),
        _(
            "Dear {{ reviewer }},\n\n{{ count }} reviews are waiting for you:\n{{ cases }}\n"
            "{% if deadline %}The review deadline is {{ deadline }} ({{ deadline|timeuntil }} left).\n"
            "{% endif %}{{ url }}\n"
        ),
    ),
    "discussion_comment": Kind(
        _("New comment in a case's discussion"),
        "name, case_title, author, comment, round, url",
        _("New comment on “{{ case_title }}”"),
        _(
            "Dear {{ name }},\n\n{{ author }} wrote in the discussion of “{{ case_title }}”:\n\n{{ comment }}\n\n"
            "Read the discussion and reply here:\n{{ url }}\n"
        ),
    ),
    "discussion_closed": Kind(
        _("A case's discussion closed by the organisers"),
        "name, case_title, reason, round, url",
        _("Discussion closed: {{ case_title }}"),
        _(
            "Dear {{ name }},\n\nthe organisers of {{ round.title }} closed the discussion of “{{ case_title }}”"
            " as settled:\n\n{{ reason }}\n\nNo more comments or revisions can be made in it; you can still "
            "read it here:\n{{ url }}\n"
        ),
    ),
    "review_added": Kind(
        _("One more case for a reviewer"),
        "reviewer, case_title, round, deadline, url",
        _("One more case to review: {{ case_title }}"),
        _(
            "Dear {{ reviewer }},\n\nthe organisers of {{ round.title }} ask you to review one more case, "
            "“{{ case_title }}”, whose reviews disagree or are too few."
            "{% if deadline %} Please score it before {{ deadline }}.{% endif %}\n{{ url }}\n"
        ),
    ),
    "review_declined": Kind(
        _("A reviewer gave back a case"),
        "reviewer, case, agency, round, conflict, reason, proposed, replacement, unfilled, url",
        _("{{ reviewer }} gave back a case: {{ case.title }}"),
        _(
            "{{ reviewer }} {% if conflict %}declared a conflict of interest with{% else %}declined{% endif %} "
            "the case “{{ case.title }}” ({{ agency }}) of {{ round.title }}.\nReason: {{ reason }}\n\n"
            "{% if replacement %}{{ replacement }} was assigned in their place.{% elif proposed %}The "
            "assignment proposes {{ proposed }} in their place: accept it on the review progress board."
            "{% else %}No replacement can be proposed: {{ unfilled }}{% endif %}\n{{ url }}\n"
        ),
    ),
    "invitation": Kind(
        _("Invitation"),
        "user, name, role, agency, round, deadline, days, url",
        _("Your account for the case portal"),
        _(
            "Hello {{ name }},\n\nan account was made for you as {{ role }}{% if agency %} of {{ agency.name }}"
            "{% endif %}{% if round %} for {{ round.title }}{% if deadline %} (deadline: {{ deadline }}){% endif %}"
            "{% endif %}.\nYour user name is {{ user.username }}. Choose your password here within {{ days }} "
            "days; until then the account cannot sign in:\n{{ url }}\n"
        ),
    ),
}


@dataclass(frozen=True)
class Recipient:
    address: str
    language: str = settings.LANGUAGE_CODE


class Composer:
    """Renders messages, reading the organisers' templates once for any number of messages."""

    def __init__(self):
        self._edited = None
        self._compiled: dict[tuple[str, str], tuple[Template, Template]] = {}

    def _templates(self, kind: str, language: str) -> tuple[Template, Template]:
        if self._edited is None:
            self._edited = {
                (row.key, row.language): (row.subject, row.body) for row in EmailTemplate.objects.all()
            }
        if (kind, language) not in self._compiled:
            with translation.override(language):
                default = (str(KINDS[kind].subject), str(KINDS[kind].body))
            subject, body = self._edited.get((kind, language), default)
            self._compiled[kind, language] = (Template(subject), Template(body))
        return self._compiled[kind, language]

    def render(self, kind: str, language: str, context: dict) -> tuple[str, str]:
        subject, body = self._templates(kind, language)
        with translation.override(language):
            ctx = Context(context, autoescape=False)
            return " ".join(subject.render(ctx).split())[:255], body.render(ctx)

    def message(self, kind: str, recipient: Recipient, context: dict, *, round=None) -> OutboxMessage:
        subject, body = self.render(kind, recipient.language, context)
        return OutboxMessage(
            recipient=recipient.address,
            language=recipient.language,
            kind=kind,
            round=round,
            subject=subject,
            body=body,
        )


def render(kind: str, language: str, context: dict) -> tuple[str, str]:
    return Composer().render(kind, language, context)


def notify(kind: str, recipients: list[Recipient], context: dict, *, round=None) -> list[OutboxMessage]:
    """Queues one message of `kind` to each recipient, in their language."""
    composer = Composer()
    unique = list(dict.fromkeys(recipient for recipient in recipients if recipient.address))
    return outbox_queue(messages=[composer.message(kind, each, context, round=round) for each in unique])


def person_name(user) -> str:
    """A person's name as Chinese writes it (family name first), or their user name."""
    return f"{user.last_name}{user.first_name}".strip() or user.get_username()


def user_recipients(user_ids) -> dict[int, Recipient]:
    """Each user with an address, in their language: one query for any number."""
    rows = (
        get_user_model()
        .objects.filter(pk__in=user_ids)
        .exclude(email="")
        .values_list("pk", "email", "profile__language")
    )
    return {pk: Recipient(email, language or settings.LANGUAGE_CODE) for pk, email, language in rows}


def organiser_recipients() -> list[Recipient]:
    """Every active organiser with an address, in their language: one query."""
    organisers = (
        get_user_model()
        .objects.filter(Q(groups__name=ORGANISERS) | Q(is_superuser=True), is_active=True)
        .values_list("pk", flat=True)
    )
    return sorted(user_recipients(organisers).values(), key=lambda recipient: recipient.address)


def user_recipient(user) -> list[Recipient]:
    found = user_recipients([user.pk]).get(user.pk)
    return [found] if found else []


def agency_recipients(agency_ids) -> dict[int, list[Recipient]]:
    """Each agency's contact address and officers, in their languages: two queries for any number."""
    found: dict[int, list[Recipient]] = {pk: [] for pk in agency_ids}
    for pk, email in Agency.objects.filter(pk__in=agency_ids).exclude(email="").values_list("pk", "email"):
        found[pk].append(Recipient(email))
    members = (
        AgencyMember.objects.filter(agency_id__in=agency_ids, user__is_active=True)
        .exclude(user__email="")
        .values_list("agency_id", "user__email", "user__profile__language")
        .order_by("agency_id", "user__email")
    )
    for pk, email, language in members:
        found[pk].append(Recipient(email, language or settings.LANGUAGE_CODE))
    # An officer whose address is also the agency's contact hears once, in their own language.
    for pk, recipients in found.items():
        by_address = {recipient.address.lower(): recipient for recipient in recipients}
        found[pk] = sorted(by_address.values(), key=lambda recipient: recipient.address)
    return found


def portal_case_url(case) -> str:
    return settings.SITE_URL + reverse("portal:case", args=[case.pk])


def case_status_changed(*, case, from_status: str) -> None:
    keys = {CaseStatus.SUBMITTED: "case_submitted", CaseStatus.RETURNED: "case_returned"}
    key = keys.get(case.status)
    if key:
        reason = case.transitions.order_by("-at", "-pk").values_list("reason", flat=True).first() or ""
        context = {
            "case": case,
            "agency": case.agency,
            "round": case.round,
            "reason": reason,
            "url": portal_case_url(case),
            "deadline": case.round.submission_deadline,
        }
        notify(key, agency_recipients([case.agency_id])[case.agency_id], context, round=case.round)


def outcome_recipient_count(*, cases) -> int:
    """How many addresses the outcome e-mails of these cases go to (what the publication's confirmation
    page announces): the same addresses `round_published` writes to."""
    recipients = agency_recipients(set(cases.values_list("agency_id", flat=True)))
    return len({each.address.lower() for found in recipients.values() for each in found})


# The outcome e-mail of each status a case can end a published round in.
OUTCOME_KINDS = {
    CaseStatus.PUBLISHED: "outcome_selected",
    CaseStatus.NOT_SELECTED: "outcome_not_selected",
    CaseStatus.SCREENED_OUT: "outcome_screened_out",
}


def round_published(*, publication) -> None:
    """Tells every agency with a case in the outcome whether it was selected (first version only), in a
    fixed number of queries however many cases the round has."""
    if publication.version != 1:
        return
    round = publication.round
    cases = list(
        Case.objects.filter(round=round, status__in=OUTCOME_KINDS).select_related("agency").order_by("pk")
    )
    reasons = {}
    if round.screening_reason_shared:
        reasons = dict(
            TriageDecision.objects.filter(
                case__round=round, case__status=CaseStatus.SCREENED_OUT
            ).values_list("case_id", "reason")
        )
    recipients = agency_recipients({case.agency_id for case in cases})
    composer = Composer()
    messages = []
    for case in cases:
        selected = case.status == CaseStatus.PUBLISHED
        url = f"{settings.SITE_URL}/cases/{case.pk}/" if selected else portal_case_url(case)
        context = {
            "case": case,
            "agency": case.agency,
            "round": round,
            "url": url,
            "reason": reasons.get(case.pk, ""),
        }
        key = OUTCOME_KINDS[case.status]
        messages += [composer.message(key, each, context, round=round) for each in recipients[case.agency_id]]
    outbox_queue(messages=messages)


def round_submission_opened(*, round) -> None:
    """The call for cases: to every agency with a contact address or an officer."""
    recipients = agency_recipients(list(_agency_ids_with_contacts()))
    url = settings.SITE_URL + reverse("portal:dashboard")
    composer = Composer()
    agencies = Agency.objects.in_bulk(list(recipients))
    context = {"round": round, "deadline": round.submission_deadline, "url": url}
    outbox_queue(
        messages=[
            composer.message("call_for_cases", each, {**context, "agency": agencies[pk]}, round=round)
            for pk, each_list in recipients.items()
            for each in each_list
        ]
    )


def _agency_ids_with_contacts() -> set[int]:
    with_email = Agency.objects.exclude(email="").values_list("pk", flat=True)
    with_officers = AgencyMember.objects.exclude(user__email="").values_list("agency_id", flat=True)
    return set(with_email) | set(with_officers)
