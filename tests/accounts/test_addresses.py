"""Which address a request comes from, behind 0, 1 or 2 reverse proxies (pure: no database)."""

import pytest

from accounts.addresses import forwarded_client

PROXY = "10.0.0.2"


@pytest.mark.parametrize(
    ("forwarded_for", "proxies", "expected"),
    [
        ("", 0, PROXY),  # no proxy configured: the connection's address
        ("198.51.100.7", 0, PROXY),  # a header from a client without a proxy is ignored
        ("198.51.100.7", 1, "198.51.100.7"),  # nginx appended the client's address
        ("203.0.113.5, 198.51.100.7", 1, "198.51.100.7"),  # the client's own entry is not believed
        ("203.0.113.5, 198.51.100.7, 10.0.0.9", 2, "198.51.100.7"),  # a CDN, then nginx
        ("", 1, PROXY),  # came round the proxy (straight to the app server)
        ("198.51.100.7", 2, PROXY),  # shorter than the chain of proxies
        ("not-an-address", 1, PROXY),
        ("2001:db8::1", 1, "2001:db8::1"),
    ],
)
def test_the_client_is_the_address_the_outermost_trusted_proxy_saw(forwarded_for, proxies, expected):
    assert forwarded_client(PROXY, forwarded_for, proxies) == expected
