"""Why a case is short of reviewers, kept as facts (what is short, how many) rather than as a sentence: the
sentence is written when someone reads it, in their language, whoever's action found the shortage."""

from dataclasses import asdict, dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext


@dataclass(frozen=True)
class Shortage:
    kind: str  # NO_CATEGORY, SMALL_PANEL, CONFLICTS or FULL
    count: int = 0  # reviewers on the panel (SMALL_PANEL), or free of conflicts (CONFLICTS)
    of: int = 0  # the reviews a case needs (SMALL_PANEL), or the panel's size (CONFLICTS)

    NO_CATEGORY = "no_category"
    SMALL_PANEL = "small_panel"
    CONFLICTS = "conflicts"
    FULL = "full"

    def as_data(self) -> dict:
        return asdict(self)

    def explain(self, category) -> str:
        if self.kind == self.NO_CATEGORY:
            return _("The case has no category.")
        if self.kind == self.SMALL_PANEL:
            return ngettext(
                "The panel of %(category)s is too small: %(count)d reviewer for %(needed)d reviews per case.",
                "The panel of %(category)s is too small: %(count)d reviewers for %(needed)d reviews per case.",
                self.count,
            ) % {"category": category, "count": self.count, "needed": self.of}
        if self.kind == self.CONFLICTS:
            return ngettext(
                "Everyone else on the panel has a conflict of interest: only %(count)d of %(panel)d may score it.",
                "Everyone else on the panel has a conflict of interest: only %(count)d of %(panel)d may score it.",
                self.count,
            ) % {"count": self.count, "panel": self.of}
        return _("The reviewers who may score it have reached their maximum load.")
