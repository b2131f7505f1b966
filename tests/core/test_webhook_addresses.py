"""Which addresses a webhook may be posted to (core/webhooks.py)."""

import pytest

from graphql_api.core.webhooks import address_allowed

REFUSED = [
    "127.0.0.1", "10.0.0.1", "172.16.0.1", "192.168.1.1", "169.254.169.254", "0.0.0.0", "224.0.0.1",
    "100.64.0.1", "100.100.100.200",  # shared (carrier-grade NAT, some clouds' metadata)
    "192.0.2.1", "198.18.0.1",  # documentation, benchmarking
    "::1", "fe80::1", "fc00::1", "ff02::1", "::",
    "::ffff:10.0.0.1",  # IPv4-mapped
    "2002:0a00:0001::1",  # 6to4 around 10.0.0.1
    "2001:0000:4136:e378:8000:63bf:3fff:fdd2",  # Teredo around a documentation address
    "64:ff9b::a00:1", "64:ff9b::a9fe:a9fe", "64:ff9b:1::a00:1",  # NAT64 around 10.0.0.1, the metadata address
    "::ffff:0:a00:1", "::7f00:1",  # IPv4-translated, IPv4-compatible
    "fec0::1",  # site-local
]
ALLOWED = ["93.184.216.34", "1.1.1.1", "2606:4700::1111",
           "2002:5db8:d822::1", "64:ff9b::5db8:d822"]  # 6to4 and NAT64 around a public one


@pytest.mark.parametrize("address", REFUSED)
def test_the_shops_own_network_is_refused_unless_allowed(address):
    assert not address_allowed(address, allow_private=False)
    assert address_allowed(address, allow_private=True)


@pytest.mark.parametrize("address", ALLOWED)
def test_globally_reachable_addresses_are_allowed(address):
    assert address_allowed(address, allow_private=False)
