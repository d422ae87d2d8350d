"""domain/login_backoff: lock lengths double up to a cap; clients are counted per address."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from marketplace.domain.login_backoff import client_key, lock_minutes


def test_each_lock_lasts_twice_the_previous_one_up_to_the_cap():
    assert [lock_minutes(n, 5, 1440) for n in range(10)] == [
        5, 10, 20, 40, 80, 160, 320, 640, 1280, 1440,
    ]  # fmt: skip


@given(st.integers(min_value=0, max_value=10**6))
def test_lock_length_never_passes_the_cap(lockouts):
    assert 5 <= lock_minutes(lockouts, 5, 1440) <= 1440


def test_ipv4_addresses_count_alone():
    assert client_key("203.0.113.7") == "203.0.113.7"
    assert client_key("::ffff:203.0.113.7") == "203.0.113.7"


def test_ipv6_addresses_count_per_64_network():
    assert (
        client_key("2001:db8:1:2::1") == client_key("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    )
    assert client_key("2001:db8:1:3::1") != client_key("2001:db8:1:2::1")


def test_anything_else_counts_as_itself():
    assert client_key(None) == "unknown"
    assert client_key("unix-socket") == "unix-socket"
