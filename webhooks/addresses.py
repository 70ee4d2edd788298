"""Where a webhook may go: HTTPS to public addresses only, unless settings allow more (``make run`` allows
loopback over plain HTTP so that it can be tried locally).

A receiver's host is resolved when the subscription is saved and again at every delivery, and the delivery connects
to the address checked then (``sending.py``), so a name that later resolves to an inside address (DNS rebinding)
is refused instead of followed. Every address a name resolves to must be allowed, not just one.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class NotAllowed(ValidationError):
    """A URL or an address a webhook may not go to (400 ``url_not_allowed``)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="url_not_allowed")


def allowed_private_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """``WEBHOOKS_ALLOW_PRIVATE``: networks allowed although they are not public (e.g. ``127.0.0.0/8``)."""
    return [ipaddress.ip_network(value, strict=False) for value in getattr(settings, "WEBHOOKS_ALLOW_PRIVATE", [])]


def is_public(address: Address) -> bool:
    """Not loopback, private, link-local, multicast, reserved, unspecified, shared (CGNAT) or IPv6 unique-local;
    an IPv4 address mapped into IPv6 is judged as the IPv4 address it is."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def check_address(address: Address) -> None:
    if is_public(address):
        return
    if any(address in network for network in allowed_private_networks()):
        return
    raise NotAllowed(_("Webhooks go only to public internet addresses; %(address)s is not one.") % {"address": address})


def split(url: str) -> tuple[str, str, int]:
    """Scheme, host and port of a URL a webhook may use; NotAllowed for anything else."""
    try:
        parts = urlsplit((url or "").strip())
        port = parts.port
    except ValueError:
        raise NotAllowed(_("Enter a valid address starting with https://.")) from None
    allow_http = getattr(settings, "WEBHOOKS_ALLOW_HTTP", False)
    if parts.scheme not in (("https", "http") if allow_http else ("https",)):
        raise NotAllowed(_("A webhook address must start with https://."))
    if not parts.hostname:
        raise NotAllowed(_("Enter a valid address starting with https://."))
    if parts.username or parts.password:
        raise NotAllowed(_("A webhook address may not carry a user name or password."))
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


def resolve(host: str, port: int) -> list[Address]:
    """Every address the host resolves to, each checked; NotAllowed if the name does not resolve or one is inside."""
    try:
        literal: Any = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [literal]
    else:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            raise NotAllowed(_("The name %(host)s does not resolve to an address.") % {"host": host}) from None
        addresses = list(dict.fromkeys(ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos))
    if not addresses:
        raise NotAllowed(_("The name %(host)s does not resolve to an address.") % {"host": host})
    for address in addresses:
        check_address(address)
    return addresses


def check_url(url: str) -> list[Address]:
    """The whole check, as the subscription form, the API and every delivery ask it."""
    _scheme, host, port = split(url)
    return resolve(host, port)
