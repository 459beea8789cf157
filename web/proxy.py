"""Trusted reverse proxies (``BANLI_FORWARDED_ALLOW_IPS``): whose ``X-Forwarded-For`` is believed.

The same list is given to uvicorn (``proxy_headers`` / ``forwarded_allow_ips``: client address and scheme,
hence the Secure cookie) and used by ``web.deps.client_ip`` (per-address limits, audit). The rule is
uvicorn's: a header is read only when the connecting peer is trusted, and the client is the right-most
address in ``X-Forwarded-For`` that is not itself a trusted proxy — anything a client writes further left
is ignored. Applying it again to an address uvicorn already rewrote gives the same answer.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class TrustedProxies:
    """A parsed ``forwarded_allow_ips`` value: addresses, CIDR networks, or ``*`` (trust every peer)."""

    def __init__(self, spec: str) -> None:
        items = [p.strip() for p in spec.split(",") if p.strip()]
        self.trust_all = "*" in items
        self.networks: list[IpNetwork] = []
        self.literals: set[str] = set()  # e.g. "unix:" peers; never an IP written differently
        for item in items:
            if item == "*":
                continue
            try:
                self.networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                self.literals.add(item)

    def __bool__(self) -> bool:
        return self.trust_all or bool(self.networks) or bool(self.literals)

    def trusts(self, host: str | None) -> bool:
        """Whether a peer at ``host`` is one of the configured proxies."""
        if not host:
            return False
        if self.trust_all:
            return True
        try:
            ip = ipaddress.ip_address(host)
        except ValueError:
            return host in self.literals
        return any(ip in net for net in self.networks)

    def client(self, peer: str | None, forwarded_for: Sequence[str]) -> str | None:
        """The client address for a connection from ``peer`` carrying these ``X-Forwarded-For`` values."""
        if not self.trusts(peer):
            return peer
        hops = [_host_of(h) for h in _split(forwarded_for)]
        if not hops:
            return peer
        if self.trust_all:
            return hops[0]
        for hop in reversed(hops):  # each proxy appends the address it saw: read from the right
            if not self.trusts(hop):
                return hop
        return hops[0]  # every hop is a proxy: the left-most is the best we know


def _split(values: Iterable[str]) -> list[str]:
    return [p.strip() for v in values for p in v.split(",") if p.strip()]


def _host_of(value: str) -> str:
    """``1.2.3.4``, ``1.2.3.4:5678`` or ``[::1]:80`` → the host part."""
    if value.startswith("["):
        end = value.find("]")
        return value[1:end] if end > 0 else value
    if value.count(":") == 1:
        return value.split(":", 1)[0]
    return value
