"""How alike two case titles are: pure arithmetic, tested without a database.

Verification asks whether a case was already selected in an earlier year under another title. An agency
that renames a case keeps most of its words (“一网通办” becomes “‘一网通办’2.0”): the share of characters the
two titles have in common, in order, catches that in Chinese, where there are no spaces to split words on.
"""

import difflib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

# A title of the same agency this alike is worth a look; another agency's must be closer to be shown.
SAME_AGENCY_THRESHOLD = 0.35
OTHER_AGENCY_THRESHOLD = 0.7
MATCHES_SHOWN = 3


def title_key(title: str) -> str:
    """The title without punctuation, spaces and case differences (full-width forms folded)."""
    folded = unicodedata.normalize("NFKC", title).lower()
    return "".join(character for character in folded if character.isalnum())


def title_similarity(first: str, second: str) -> float:
    """From 0 (nothing in common) to 1 (the same title, punctuation aside)."""
    first, second = title_key(first), title_key(second)
    if not first or not second:
        return 0.0
    return difflib.SequenceMatcher(None, first, second, autojunk=False).ratio()


@dataclass(frozen=True)
class Candidate:
    """An earlier selected case: its year, title, agency and where to read it."""

    year: int
    title: str
    agency_id: int
    agency_name: str
    url: str


@dataclass(frozen=True)
class Match:
    candidate: Candidate
    similarity: float
    same_agency: bool

    @property
    def percent(self) -> int:
        return round(self.similarity * 100)


def likely_matches(*, title: str, agency_id: int, candidates: Iterable[Candidate]) -> list[Match]:
    """The earlier cases most like this one: the same agency's above a low threshold, another agency's only
    when the titles are nearly the same; the closest first, at most MATCHES_SHOWN."""
    found = []
    key = title_key(title)
    matcher = difflib.SequenceMatcher(None, autojunk=False)
    matcher.set_seq2(key)  # the title compared with every candidate: its index is built once
    for candidate in candidates:
        same_agency = candidate.agency_id == agency_id
        threshold = SAME_AGENCY_THRESHOLD if same_agency else OTHER_AGENCY_THRESHOLD
        matcher.set_seq1(title_key(candidate.title))
        # The quick ratios are upper bounds of the ratio: most candidates are passed over on them.
        if not key or matcher.real_quick_ratio() < threshold or matcher.quick_ratio() < threshold:
            continue
        similarity = matcher.ratio()
        if similarity >= threshold:
            found.append(Match(candidate, similarity, same_agency))
    found.sort(key=lambda match: (-match.same_agency, -match.similarity, -match.candidate.year))
    return found[:MATCHES_SHOWN]
