"""Which webhook URLs we may call: only globally routable addresses, whatever form they are written in.

An address passes only if it is `is_global` and so is every IPv4 address it wraps: IPv4-mapped
(::ffff:a.b.c.d), 6to4 (2002:AABB:CCDD::), Teredo (2001::/32: server and client) and NAT64
(64:ff9b::/96, 64:ff9b:1::/48). So 100.64.0.1 (shared address space), 100.100.100.200 and
[2002:a9fe:a9fe::] (169.254.169.254 inside 6to4) are refused. A development receiver on the same
machine is allowed only by ALLOW_LOOPBACK_WEBHOOKS, and only on loopback: never a private or metadata address.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

from shared.errors import VividlyError

BLOCKED_HOSTNAMES = frozenset({"localhost", "metadata", "metadata.google.internal", "metadata.goog"})
NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
IP = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeWebhook(VividlyError):
    """A webhook URL we will not call (not https, internal, not resolving)."""

    code = "unsafe_webhook"
    http_status = 422


def _wrapped(ip: IP) -> Iterator[IP]:
    """The address and every IPv4 address it carries inside."""
    yield ip
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            yield ip.ipv4_mapped
        if ip.sixtofour:
            yield ip.sixtofour
        if ip.teredo:
            yield from ip.teredo
        if any(ip in network for network in NAT64):
            yield ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)


def check_ip(ip: IP, *, allow_loopback: bool = False) -> None:
    for address in _wrapped(ip):
        if allow_loopback and address.is_loopback:
            continue
        if not address.is_global or address.is_multicast:
            raise UnsafeWebhook(f"address {ip} is not a public address")


def check_webhook_url(url: str, *, allow_loopback: bool = False) -> str:
    """Return the URL if it is safe to call; raise UnsafeWebhook saying why not.

    Only the URL's own text is checked here (no DNS), so validation stays pure; `resolve_and_check`
    checks the resolved addresses right before delivery, and delivery connects to those very addresses.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http"):
        raise UnsafeWebhook("must be an http(s) URL")
    if not parts.hostname:
        raise UnsafeWebhook("has no host")
    if parts.username or parts.password:
        raise UnsafeWebhook("must not carry credentials")
    host = parts.hostname.lower().rstrip(".")
    try:
        ip: IP | None = ipaddress.ip_address(host)
    except ValueError:
        ip = None
    if allow_loopback and (host == "localhost" or (ip is not None and ip.is_loopback)):
        return url  # a receiver on this machine
    if parts.scheme != "https" and not allow_loopback:
        raise UnsafeWebhook("must use https")  # plain http only in development
    if host in BLOCKED_HOSTNAMES or host.endswith((".internal", ".local", ".localhost")):
        raise UnsafeWebhook(f"host {host} is internal")
    if ip is not None:
        check_ip(ip)
    return url


def resolve_and_check(url: str, *, allow_loopback: bool = False) -> list[IP]:
    """The addresses the URL's host resolves to, each checked; delivery must connect to one of these."""
    check_webhook_url(url, allow_loopback=allow_loopback)
    host = urlsplit(url).hostname or ""
    addresses = [
        ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in socket.getaddrinfo(host, None)
    ]
    if not addresses:
        raise UnsafeWebhook(f"host {host} does not resolve")
    for address in addresses:
        check_ip(address, allow_loopback=allow_loopback)
    return list(dict.fromkeys(addresses))
