"""What every admin action of both apps does with the objects an organiser chose: one service call each."""

from collections.abc import Callable, Iterable
from typing import TypeVar

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse

from .exceptions import Refused

Chosen = TypeVar("Chosen")
Result = TypeVar("Result")


def refusal_text(refusal: Exception) -> str:
    """A refusal in the user's words: a service's Refused, or a ValidationError's messages."""
    if isinstance(refusal, ValidationError):
        return " ".join(refusal.messages)
    return str(refusal)


def run_for_each(
    modeladmin,
    request,
    chosen: Iterable[Chosen],
    service: Callable[[Chosen], Result],
    *,
    label: Callable[[Chosen], str] = str,
) -> list[Result]:
    """Calls `service` on each chosen object on its own; what it refuses becomes an error message naming the
    object (`label`), and the others go on. Returns what the service returned for those it did not refuse,
    for the caller's message of success."""
    done = []
    for item in chosen:
        try:
            done.append(service(item))
        except (Refused, ValidationError) as refusal:
            modeladmin.message_user(request, f"{label(item)}: {refusal_text(refusal)}", messages.ERROR)
    return done


def confirmation_page(
    modeladmin, request, chosen, *, template, form, title, action, **context
) -> TemplateResponse:
    """The page an action shows before it does anything: the chosen objects (`objects`, each a hidden input
    named `action_checkbox_name`, so that confirming chooses them again), the action's `form` and name."""
    return TemplateResponse(
        request,
        template,
        {
            **modeladmin.admin_site.each_context(request),
            "title": title,
            "objects": chosen,
            "form": form,
            "action": action,
            "opts": modeladmin.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            **context,
        },
    )
