"""django-axes' database handler with a second limit: failures from one address across all user names.

Failures are counted per user name *and* address (AXES_LOCKOUT_PARAMETERS), so a stranger cannot lock an
agency out from elsewhere; on its own that would let one address try every user name in turn, five times
each. This handler also locks an address once AXES_ADDRESS_FAILURE_LIMIT failures came from it within the
cool-off time, whatever the user names, by reporting such an address as having reached the failure limit.
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


def address_failures(request) -> int:
    address = getattr(request, "axes_ip_address", None)
    if not address:
        return 0
    attempts = AccessAttempt.objects.filter(
        ip_address=address, attempt_time__gte=get_cool_off_threshold(request)
    )
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class AddressLimitedDatabaseHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials: dict | None = None) -> int:
        failures = super().get_failures(request, credentials)
        if address_failures(request) >= settings.AXES_ADDRESS_FAILURE_LIMIT:
            return max(failures, get_failure_limit(request, credentials))
        return failures
