"""Bulk mail: an organiser writes to a chosen group of a round, sees the text rendered for one recipient and
the count, confirms, and the messages go through the outbox.

The groups are a registry so that other apps add theirs without govcases importing them: reviews registers
the reviewers' groups (reviews.apps). A group's finder returns, for a round and the form's filters, each
recipient with the name the text greets them by.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q
from django.template import Context, Template, TemplateSyntaxError
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .enums import EDITABLE_STATUSES
from .exceptions import Refused
from .models import Agency, OutboxMessage, Round
from .notifications import Recipient, agency_recipients
from .outbox import outbox_queue
from .permissions import RUN_ROUND, allowed

BULK_KIND = "bulk"
PLACEHOLDERS = "name, round, url"


@dataclass(frozen=True)
class Addressee:
    recipient: Recipient
    name: str
    url: str


@dataclass(frozen=True)
class Group:
    label: str
    finder: Callable[..., list[Addressee]]
    needs: str = ""  # "category" or "level": the filter the group needs


GROUPS: dict[str, Group] = {}


def group_register(key: str, label, finder, *, needs: str = "") -> None:
    GROUPS[key] = Group(label, finder, needs)


def _agency_addressees(agencies) -> list[Addressee]:
    agencies = list(agencies.order_by("pinyin", "pk"))
    recipients = agency_recipients([agency.pk for agency in agencies])
    url = settings.SITE_URL + reverse("portal:dashboard")
    return [
        Addressee(recipient, agency.name, url) for agency in agencies for recipient in recipients[agency.pk]
    ]


def agencies_with_drafts(*, round: Round, **filters) -> list[Addressee]:
    return _agency_addressees(
        Agency.objects.filter(cases__round=round, cases__status__in=EDITABLE_STATUSES).distinct()
    )


def agencies_of_category(*, round: Round, category, **filters) -> list[Addressee]:
    return _agency_addressees(Agency.objects.filter(cases__round=round, cases__category=category).distinct())


def agencies_of_level(*, round: Round, level: str, **filters) -> list[Addressee]:
    return _agency_addressees(
        Agency.objects.filter(level=level).filter(~Q(email="") | Q(members__isnull=False)).distinct()
    )


group_register(
    "agencies_with_drafts", gettext_lazy("Agencies holding drafts or returned cases"), agencies_with_drafts
)
group_register(
    "agencies_of_category",
    gettext_lazy("Agencies with a case in a category"),
    agencies_of_category,
    needs="category",
)
group_register(
    "agencies_of_level", gettext_lazy("Agencies of an administrative level"), agencies_of_level, needs="level"
)


def bulk_addressees(*, group: str, round: Round, category=None, level: str = "") -> list[Addressee]:
    found = GROUPS[group].finder(round=round, category=category, level=level)
    unique = {}
    for addressee in found:
        unique.setdefault(addressee.recipient.address.lower(), addressee)
    return list(unique.values())


def bulk_render(*, subject: str, body: str, addressee: Addressee, round: Round) -> tuple[str, str]:
    try:
        subject_template, body_template = Template(subject), Template(body)
    except TemplateSyntaxError as error:
        raise Refused(_("The text has a template error: %(error)s") % {"error": error}) from error
    context = Context({"name": addressee.name, "round": round, "url": addressee.url}, autoescape=False)
    with translation.override(addressee.recipient.language):
        return " ".join(subject_template.render(context).split())[:255], body_template.render(context)


def bulk_mail_send(
    *,
    by: AbstractBaseUser | None,
    group: str,
    round: Round,
    subject: str,
    body: str,
    category=None,
    level: str = "",
) -> int:
    """Queues the text, rendered for each addressee of the group, in the outbox; returns how many."""
    if by is None or not allowed(by, RUN_ROUND):
        raise Refused(_("Only the organisers can do this."))
    addressees = bulk_addressees(group=group, round=round, category=category, level=level)
    messages = []
    for addressee in addressees:
        rendered_subject, rendered_body = bulk_render(
            subject=subject, body=body, addressee=addressee, round=round
        )
        messages.append(
            OutboxMessage(
                recipient=addressee.recipient.address,
                language=addressee.recipient.language,
                kind=BULK_KIND,
                round=round,
                subject=rendered_subject,
                body=rendered_body,
            )
        )
    outbox_queue(messages=messages)
    return len(messages)
