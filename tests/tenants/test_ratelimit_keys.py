"""The public pages' rate limits count an IPv6 client by its /64: one subscriber owns at least
that many addresses, so a fresh address per request must not mean a fresh limit."""

import pytest
from django.urls import reverse

from tenants.ratelimit import client_ip

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_cache(own_cache):
    pass


def lookup(client, address):
    return client.post(
        reverse("public-complaint-lookup", kwargs={"tenant_slug": "acme"}),
        {"reference": "AMO-2026-000001", "contact": "x@y.z"},
        REMOTE_ADDR=address,
    )


def test_the_lookup_limit_is_shared_by_a_whole_ipv6_64(client, acme_setup):
    answers = [lookup(client, f"2001:db8:1:2::{n:x}").status_code for n in range(1, 12)]

    assert answers == [200] * 10 + [429]
    assert lookup(client, "2001:db8:1:2:ffff:ffff:ffff:ffff").status_code == 429
    assert lookup(client, "2001:db8:1:3::1").status_code == 200
    assert lookup(client, "203.0.113.7").status_code == 200


def test_an_ipv4_address_stays_itself_and_an_ipv6_one_becomes_its_64(rf, settings):
    def key(remote):
        return client_ip(rf.get("/", REMOTE_ADDR=remote))

    assert key("203.0.113.7") == "203.0.113.7"
    assert key("2001:db8:1:2:aaaa::1") == key("2001:db8:1:2:bbbb::9") == "2001:db8:1:2::/64"
    assert key("2001:db8:1:3::1") == "2001:db8:1:3::/64"
    assert key("::ffff:203.0.113.7") == "203.0.113.7"
    settings.TRUSTED_PROXIES = 1
    forwarded = rf.get("/", HTTP_X_FORWARDED_FOR="2001:db8:9:9::5", REMOTE_ADDR="10.0.0.2")
    assert client_ip(forwarded) == "2001:db8:9:9::/64"
