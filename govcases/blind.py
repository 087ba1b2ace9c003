"""Blind review: what reviewers of a blind round must not read of a case, as pure functions (no database).

The agency's name is blacked out wherever a text of the case (or of its discussion) names it; the agency,
its contact and its service link are not shown at all (the pages decide that), nor the pictures and
attachments the organisers mark as identifying (the pages, and the file view, which refuses them).
"""

import re
from collections.abc import Iterable

# What stands where a name was: as long as nothing, so that the name's length gives nothing away.
BLACKED_OUT = "■■■"


def redact(text: str, names: Iterable[str]) -> str:
    """`text` with every occurrence of each of `names` replaced by BLACKED_OUT, longest names first (so that
    a short name inside a longer one does not leave the rest behind); case-insensitive for Latin letters."""
    words = sorted({name.strip() for name in names if name and name.strip()}, key=len, reverse=True)
    if not text or not words:
        return text
    pattern = re.compile("|".join(re.escape(word) for word in words), re.IGNORECASE)
    return pattern.sub(BLACKED_OUT, text)


def hidden_from_reviewers(*, blind_round: bool, identifying: bool) -> bool:
    """Whether a case's picture or attachment is kept from its reviewers."""
    return blind_round and identifying
