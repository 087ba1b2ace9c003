"""What the organisers' boards of a round share: their URLs, their list of rounds, their page and its cache.

A board is one class and one template. The class (a RoundBoard) names the board and builds its context; the
template extends "admin/reviews/board.html" and fills its content block. Register the class in
reviews/admin/__init__.py. Its views are then served at /admin/reviews/<name>/ (the rounds) and
/admin/reviews/<name>/<round id>/change/ (the board), named `admin:reviews_<name>_changelist` and `_change`.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _

from govcases import pagecache
from govcases.admin_actions import refusal_text
from govcases.exceptions import Refused
from govcases.models import Case, Round
from govcases.sites import AdminBoard

from .. import selectors


class RoundBoard(AdminBoard):
    app_label = "reviews"
    template: str  # extends admin/reviews/board.html

    def title(self, round: Round) -> str:
        raise NotImplementedError

    def board_context(self, request, round: Round) -> dict:
        """What the board's template shows of `round`."""
        raise NotImplementedError

    def act(self, request, round: Round) -> HttpResponse | None:
        """Does what a POST to the board asks (through a service) and says how it went in a message; None shows
        the board again. A board without forms takes no POST."""
        return HttpResponseNotAllowed(["GET"])

    def extra_urls(self) -> list:
        """More views of the board, each wrapped by `self.view()`."""
        return []

    def get_urls(self) -> list:
        return [
            path("", self.view(self.rounds_view), name=self.url_name("changelist")),
            path("<int:round_id>/change/", self.view(self.board_view), name=self.url_name("change")),
            *self.extra_urls(),
        ]

    def get_round(self, round_id: int) -> Round:
        return get_object_or_404(Round, pk=round_id)

    def rounds_view(self, request):
        return TemplateResponse(
            request,
            "admin/reviews/board_rounds.html",
            {
                **self.admin_site.each_context(request),
                "board": self,
                "title": self.verbose_name_plural,
                "rounds": [
                    (round, self.reverse("change", round.pk)) for round in Round.objects.order_by("-year")
                ],
            },
        )

    def board_view(self, request, round_id: int):
        round = self.get_round(round_id)
        if request.method == "POST":
            return self.act(request, round) or HttpResponseRedirect(request.get_full_path())
        return self.page(request, round, self.template, self.title(round), self.board_context(request, round))

    def page(self, request, round: Round, template: str, title: str, context: dict) -> TemplateResponse:
        """A page of the board about `round`, in the admin's chrome; the board's table takes the whole width."""
        return TemplateResponse(
            request,
            template,
            {
                **self.admin_site.each_context(request),
                "board": self,
                "round": round,
                "title": title,
                "is_nav_sidebar_enabled": False,
                **context,
            },
        )

    def cached(self, request, round: Round, key: list, template: str, context) -> str:
        """`template` rendered with what `context()` returns, once per revision of the round (and `key`).

        A board changes only when its round does (a review submitted, a case withdrawn, a decision staged...):
        selectors.board_key names the round's revision and the settings that rank its cases. The template's
        POST forms take their ids from `{% fragment_form %}`: the stored piece holds no one's CSRF token.
        """

        def render(forms: list[str]) -> str:
            return render_to_string(template, {**context(), pagecache.FRAGMENT_FORMS: forms}, request)

        return pagecache.cached_fragment(request, [self.name, *selectors.board_key(round), *key], render)

    def posted_case(self, request, round: Round) -> Case:
        """The case of `round` a board's form names (its `case` field); refused if there is no such case."""
        case_id = request.POST.get("case", "")
        case = Case.objects.filter(round=round, pk=case_id).first() if case_id.isdecimal() else None
        if case is None:
            raise Refused(_("No such case in this round."))
        return case

    def row_anchor(self, request) -> str:
        """The fragment that brings a list back to the row its form was posted from."""
        case_id = request.POST.get("case", "")
        return f"#case-{case_id}" if case_id.isdecimal() else ""

    def report(self, request, text: str, level: int = messages.SUCCESS) -> None:
        messages.add_message(request, level, text)

    def attempt(self, request, service):
        """What `service()` returns, or None once its refusal is reported to the organiser as an error."""
        try:
            return service()
        except (Refused, ValidationError) as refusal:
            self.report(request, refusal_text(refusal), messages.ERROR)
            return None
