"""How long a login pair (an e-mail address from one client address) waits after failures.

Choices where the rules are silent:
- A lock falls on the pair, never on the account: the owner elsewhere still logs in, and a
  stranger cannot lock anyone out by typing their address.
- Every `max_attempts` failed attempts of a pair lock it; each lock lasts twice the previous
  one (`base_minutes`, then 2x, 4x, ...), capped at `max_minutes`. A successful login ends the
  count and the doubling.
- IPv6 clients are counted per /64 network: one subscriber gets a whole /64 and could
  otherwise start a fresh count with every address in it.
"""

from __future__ import annotations

import ipaddress

IPV6_NETWORK_PREFIX = 64


def lock_minutes(lockouts: int, base_minutes: int, max_minutes: int) -> int:
    """Minutes of the lock that follows `lockouts` earlier locks of the same pair."""
    if lockouts >= max_minutes.bit_length():  # 2**lockouts alone already passes the cap
        return max_minutes
    return min(base_minutes * 2**lockouts, max_minutes)


def client_key(address: str | None) -> str:
    """The client a count belongs to: the IPv4 address, or the /64 of an IPv6 address.

    Anything that is not an address (a test client, a unix socket) counts as itself."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return (address or "unknown")[:64]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/{IPV6_NETWORK_PREFIX}", strict=False))
    return str(ip)
