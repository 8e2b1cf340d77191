"""Which webhook URLs we may call: never private, loopback, link-local or metadata addresses."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

BLOCKED_HOSTNAMES = frozenset({"localhost", "metadata", "metadata.google.internal", "metadata.goog"})


class UnsafeWebhook(ValueError):
    pass


def _check_ip(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> None:
    if (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    ):
        raise UnsafeWebhook(f"address {ip} is private, loopback, link-local or reserved")


def check_webhook_url(url: str, *, allow_private: bool = False) -> str:
    """Return the URL if it is safe to call; raise UnsafeWebhook saying why not.

    Only the URL's own text is checked here (no DNS), so validation stays pure; `resolve_and_check`
    repeats the check on the resolved addresses right before delivery (DNS rebinding).
    """
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http"):
        raise UnsafeWebhook("must be an http(s) URL")
    if not parts.hostname:
        raise UnsafeWebhook("has no host")
    if parts.username or parts.password:
        raise UnsafeWebhook("must not carry credentials")
    if allow_private:
        return url
    if parts.scheme != "https":
        raise UnsafeWebhook("must use https")
    host = parts.hostname.lower().rstrip(".")
    if host in BLOCKED_HOSTNAMES or host.endswith((".internal", ".local", ".localhost")):
        raise UnsafeWebhook(f"host {host} is internal")
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return url
    _check_ip(ip)
    return url


def resolve_and_check(url: str, *, allow_private: bool = False) -> None:
    check_webhook_url(url, allow_private=allow_private)
    if allow_private:
        return
    host = urlsplit(url).hostname or ""
    for info in socket.getaddrinfo(host, None):
        _check_ip(ipaddress.ip_address(info[4][0]))
