"""The triage list of a round at /admin/ (初步筛选): every submitted case with a pass and an out (with a reason)
per row, filtered by category, level and state, with the counts per category. Plain forms, one per action,
so that it works without JavaScript and from the keyboard: Tab reaches a row's “Pass”, its reason and “Out”,
and Enter in the reason puts the case out. Every change goes through govcases.services."""

from urllib.parse import urlencode

from django.core.validators import ProhibitNullCharactersValidator
from django.http import HttpResponseRedirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from govcases import selectors
from govcases.enums import Level, Phase
from govcases.exceptions import Refused
from govcases.permissions import SCREEN_CASES, allowed
from govcases.services import triage_decide, triage_pass_many

from .base import RoundBoard

FILTERS = ("category", "level", "state", "page")


class TriageBoard(RoundBoard):
    name = "triageboard"
    verbose_name_plural = gettext_lazy("triage lists")
    template = "admin/reviews/triage_board.html"

    def has_permission(self, request) -> bool:
        return allowed(request.user, SCREEN_CASES)

    def title(self, round):
        return _("Triage: %(round)s") % {"round": round}

    def _filters(self, query) -> dict:
        return {name: query.get(name, "") for name in FILTERS}

    def board_context(self, request, round):
        filters = self._filters(request.GET)
        listing = selectors.triage_list(round=round, **filters)
        return {
            "listing": listing,
            "levels": Level.choices,
            "states": [
                ("waiting", _("not triaged")),
                ("passed", pgettext("outcome of a check", "passed")),
                ("out", _("out")),
            ],
            "triaging": round.phase == Phase.TRIAGE,
            # The filters each form sends back, so that the page comes back as it was.
            "kept": [(name, value) for name, value in filters.items() if value],
            "filter_query": urlencode({n: v for n, v in filters.items() if v and n != "page"}),
        }

    def act(self, request, round):
        self.attempt(request, lambda: self._decide(request, round))
        # Back to the same filtered page, at the row just decided.
        filters = {name: value for name, value in self._filters(request.POST).items() if value}
        anchor = self.row_anchor(request)
        return HttpResponseRedirect(f"{request.path}?{urlencode(filters)}{anchor}")

    def _decide(self, request, round) -> None:
        action = request.POST.get("action")
        reason = request.POST.get("reason", "")
        ProhibitNullCharactersValidator()(reason)
        if action == "pass_shown":
            filters = self._filters(request.POST)
            del filters["page"]
            count = triage_pass_many(
                round=round, cases=selectors.triage_cases(round=round, **filters), by=request.user
            )
            self.report(request, _("%(count)d cases passed.") % {"count": count})
            return
        if action not in {"pass", "out"}:
            raise Refused(_("Unknown action."))
        case = self.posted_case(request, round)
        triage_decide(case=case, passed=action == "pass", by=request.user, reason=reason)
        if action == "pass":
            self.report(request, _("Passed: %(case)s.") % {"case": case.title})
        else:
            self.report(request, _("Out: %(case)s.") % {"case": case.title})
