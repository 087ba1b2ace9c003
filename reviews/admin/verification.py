"""The verification list of a round at /admin/ (复核校验): each provisionally selected case with its service
link, its facts, the earlier selected cases it may repeat, its checks, and a pass or fail (with a reason)
for anyone of the research team who did not review it. Every change goes through reviews.services."""

from django.core.validators import ProhibitNullCharactersValidator
from django.http import HttpResponseRedirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from govcases.enums import Phase
from govcases.exceptions import Refused
from govcases.permissions import VERIFY_CASES, allowed

from .. import selectors
from ..services import verification_record
from .base import RoundBoard


class VerificationBoard(RoundBoard):
    name = "verificationboard"
    verbose_name_plural = gettext_lazy("verification lists")
    template = "admin/reviews/verification_board.html"

    def has_permission(self, request) -> bool:
        return allowed(request.user, VERIFY_CASES)

    def title(self, round):
        return _("Verification: %(round)s") % {"round": round}

    def board_context(self, request, round):
        listing = selectors.verification_list(round=round, state=request.GET.get("state", ""))
        for row in listing.rows:
            row.mine = not row.checkable_by(request.user)
        return {
            "listing": listing,
            "states": [
                ("open", _("not checked")),
                ("failed", _("failed")),
                ("passed", pgettext("outcome of a check", "passed")),
            ],
            "verifying": round.phase == Phase.VERIFICATION,
            "publishing": round.phase == round.publication_phase,
        }

    def act(self, request, round):
        self.attempt(request, lambda: self._check(request, round))
        state = request.POST.get("state", "")
        anchor = self.row_anchor(request)
        query = f"?state={state}" if state in selectors.VERIFICATION_STATES else ""
        return HttpResponseRedirect(f"{request.path}{query}{anchor}")

    def _check(self, request, round) -> None:
        action = request.POST.get("action")
        reason = request.POST.get("reason", "")
        ProhibitNullCharactersValidator()(reason)
        if action not in {"pass", "fail"}:
            raise Refused(_("Unknown action."))
        case = self.posted_case(request, round)
        verification_record(case=case, passed=action == "pass", by=request.user, reason=reason)
        if action == "pass":
            self.report(request, _("Verified: %(case)s.") % {"case": case.title})
        else:
            self.report(
                request, _("Failed: %(case)s. It is marked on the selection board.") % {"case": case.title}
            )
