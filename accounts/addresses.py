"""The client's address, as the login throttling, the password-reset limits and the sign-in records see it."""

import ipaddress
import logging

from django.conf import settings

logger = logging.getLogger(__name__)
_warned_about_proxy = False


def forwarded_client(remote_addr: str | None, forwarded_for: str, trusted_proxies: int) -> str | None:
    """The address that the outermost of `trusted_proxies` reverse proxies saw.

    Each proxy appends the address it received the request from to X-Forwarded-For, so the last
    `trusted_proxies` entries were written by our proxies and anything before them by the client, who may
    write anything there. Without proxies, or when the header is shorter than the chain (a request that
    did not come through all of them) or not an address, the connection's own address is the only truth.
    """
    if trusted_proxies <= 0:
        return remote_addr
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    if len(hops) < trusted_proxies:
        return remote_addr
    candidate = hops[-trusted_proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote_addr


def client_address(request) -> str | None:
    forwarded_for = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded_for and settings.TRUSTED_PROXY_COUNT == 0:
        _warn_once_about_proxy()
    return forwarded_client(request.META.get("REMOTE_ADDR"), forwarded_for, settings.TRUSTED_PROXY_COUNT)


def _warn_once_about_proxy() -> None:
    # Behind a proxy without TRUSTED_PROXY_COUNT every visitor has the proxy's address: the per-address
    # login limit would then stop everyone at once. Said once per process, in the log the operator reads.
    global _warned_about_proxy
    if not _warned_about_proxy:
        _warned_about_proxy = True
        logger.warning(
            "Requests carry X-Forwarded-For but TRUSTED_PROXY_COUNT is 0: every client is taken to be the "
            "proxy's address. Set TRUSTED_PROXY_COUNT to the number of reverse proxies (docs/deploy.md)."
        )
