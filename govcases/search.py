"""Search terms, bounded: every word becomes a condition in SQL (a LIKE on several columns), so a search of
1,500 words is a query SQLite refuses ("Expression tree is too large") and PostgreSQL runs for long. Only the
first words, each cut to a length no field holds, are searched; the page says so."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

MAX_WORDS = 10
MAX_WORD_LENGTH = 60


@dataclass(frozen=True)
class SearchTerms:
    words: list[str]
    cut: bool  # something typed was left out

    def notice(self) -> str:
        if not self.cut:
            return ""
        return _(
            "Only the first %(words)d words of your search, each up to %(length)d characters, were searched."
        ) % {"words": MAX_WORDS, "length": MAX_WORD_LENGTH}


def search_terms(text: str, split=str.split) -> SearchTerms:
    """The words of `text` (split by `split`) that are searched for."""
    # PostgreSQL refuses a NUL in a query outright; no field holds one, so it separates words.
    words = [str(word) for word in split((text or "").replace("\x00", " "))]
    kept = [word[:MAX_WORD_LENGTH] for word in words[:MAX_WORDS]]
    return SearchTerms(words=kept, cut=len(words) > MAX_WORDS or any(len(w) > MAX_WORD_LENGTH for w in words))
