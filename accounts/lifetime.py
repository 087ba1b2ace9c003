"""How long a signed-in session lasts: pure arithmetic on the times kept in the session."""

SIGNED_IN_AT = "signin_at"
LAST_SEEN = "signin_last_seen"
# The last-seen time is written back at most this often, so that reading pages does not write the session
# on every request; the idle timeout is therefore exact to within this many seconds.
LAST_SEEN_GRANULARITY = 60

IDLE, LIFETIME = "idle", "lifetime"


def expiry_reason(
    *, now: float, signed_in_at: float | None, last_seen: float | None, idle: int, lifetime: int
) -> str | None:
    """IDLE when the session went unused longer than `idle` seconds, LIFETIME when it is older than
    `lifetime` seconds since signing in, else None. A session without the times (signed in before they
    were kept) counts from now on."""
    if signed_in_at is not None and now - signed_in_at > lifetime:
        return LIFETIME
    if last_seen is not None and now - last_seen > idle:
        return IDLE
    return None


def last_seen_stale(*, now: float, last_seen: float | None) -> bool:
    return last_seen is None or now - last_seen >= LAST_SEEN_GRANULARITY
