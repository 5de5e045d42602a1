"""The SSRF guard: may a webhook POST to this URL? Checked at creation and again at send time.

A target must be http or https, carry no credentials, and every address its host stands for
must be public: not loopback (unless the local stack allows it), private, shared (carrier-grade
NAT), link-local (the cloud metadata service at 169.254.169.254), multicast, unspecified or
reserved, nor an IPv4-mapped, 6to4 or NAT64 IPv6 form of such an address. A name is resolved
and *every* address it has must pass, so a name with one public and one private address is
refused; resolving again at send time (the sender connects to the addresses checked then)
keeps a name that is re-pointed after creation (DNS rebinding) from slipping through.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from chalicelib.errors import WebhookTargetRefusedError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

SCHEMES = {"http": 80, "https": 443}
# Browsers and most HTTP clients refuse longer URLs; a webhook target never needs one.
MAX_URL_CHARS = 2048
_SHARED = ipaddress.IPv4Network("100.64.0.0/10")  # RFC 6598, not covered by is_private
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052: the last 32 bits are an IPv4
# Whitespace and control characters: urlsplit silently drops some of them (tab, newline), so
# what it parses would differ from what another client reads in the same string.
_UNSAFE_CHARACTERS = re.compile(r"[\x00-\x20\x7f]")
_HOSTNAME = re.compile(r"^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$")
# A last label like these makes WHATWG URL parsers (browsers, Node) read the host as an IPv4
# address in one of inet_aton's forms (2130706433, 0177.0.0.1, 0x7f.1, 127.1).
_NUMERIC_LABEL = re.compile(r"^([0-9]+|0[xX][0-9a-fA-F]*)$")


@dataclass(frozen=True, slots=True)
class Target:
    """A checked target: connect to one of `addresses`, never resolve `host` again."""

    url: str
    scheme: str
    host: str  # as in the URL (lower case, no brackets): the Host header and the TLS name
    port: int
    addresses: tuple[str, ...]


def resolve_addresses(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (the one part of this module a test may replace)."""
    infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def checked_target(url: str, *, allow_loopback: bool) -> Target:
    """The target of `url` with the addresses it may be sent to; WebhookTargetRefusedError
    (400) when it is not http(s), is malformed, does not resolve or reaches a non-public
    address."""
    parts = _split(url)
    scheme = parts.scheme.lower()
    host = _host(parts)
    port = _port(parts, scheme)
    literal = _literal_address(host)
    addresses = [str(literal)] if literal is not None else _resolved(host, port)
    for address in addresses:
        reason = refusal_reason(_parse_address(address), allow_loopback=allow_loopback)
        if reason is not None:
            shown = host if literal is not None else f"{host} ({address})"
            raise WebhookTargetRefusedError(
                f"targetUrl host {shown} is not a public address ({reason}); webhooks may "
                "only reach public addresses"
            )
    return Target(url, scheme, host, port, tuple(addresses))


def refusal_reason(address: IPAddress, *, allow_loopback: bool) -> str | None:
    """Why a webhook may not reach `address` (e.g. "private"), None when it may."""
    embedded = _embedded_ipv4(address)
    if embedded is not None:
        # ::ffff:10.0.0.1 and friends reach the IPv4 address they carry: judge that one.
        return refusal_reason(embedded, allow_loopback=allow_loopback)
    if address.is_loopback:
        return None if allow_loopback else "loopback"
    checks = (
        (address.is_unspecified, "unspecified"),
        (address.is_link_local, "link-local"),
        (address.is_multicast, "multicast"),
        (address in _SHARED if address.version == 4 else False, "shared (carrier-grade NAT)"),
        (address.version == 6 and address.is_site_local, "site-local"),
        (address.is_reserved, "reserved"),
        (address.is_private, "private"),
        # Whatever else the registries list as not globally reachable (documentation ranges…).
        (not address.is_global, "non-public"),
    )
    return next((reason for refused, reason in checks if refused), None)


def _refused(message: str) -> WebhookTargetRefusedError:
    return WebhookTargetRefusedError(message)


def _split(url: object) -> SplitResult:
    if not isinstance(url, str) or not url:
        raise _refused("targetUrl must be a non-empty string")
    if len(url) > MAX_URL_CHARS:
        raise _refused(f"targetUrl may be at most {MAX_URL_CHARS} characters long")
    if _UNSAFE_CHARACTERS.search(url):
        raise _refused("targetUrl may not contain whitespace or control characters")
    try:
        parts = urlsplit(url)
    except ValueError:
        raise _refused(f"targetUrl '{url[:200]}' is not a valid URL") from None
    if parts.scheme.lower() not in SCHEMES:
        raise _refused(f"targetUrl must use http or https, not '{parts.scheme or '(none)'}'"[:300])
    return parts


def _host(parts: SplitResult) -> str:
    if "@" in parts.netloc:
        # Credentials in the URL would be sent in every payload's targetUrl and logged; and
        # `http://evil@127.0.0.1/` is a classic way to make a reader misjudge the host.
        raise _refused("targetUrl may not contain a user name or password")
    host = parts.hostname or ""
    if not host:
        raise _refused("targetUrl has no host")
    if ":" in host:  # IPv6 literal (urlsplit removed the brackets)
        return host
    try:
        host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise _refused(f"targetUrl host '{host[:200]}' is not a valid host name") from None
    if not _HOSTNAME.match(host.removesuffix(".")):
        raise _refused(f"targetUrl host '{host[:200]}' is not a valid host name")
    return host


def _port(parts: SplitResult, scheme: str) -> int:
    try:
        port = parts.port
    except ValueError:
        raise _refused("targetUrl has an invalid port") from None
    if port == 0:
        raise _refused("targetUrl has an invalid port")
    return SCHEMES[scheme] if port is None else port


def _literal_address(host: str) -> IPAddress | None:
    """The address a host names literally; None for a name to resolve."""
    if ":" in host:
        try:
            # A zone (fe80::1%eth0) only ever names a link-local address: judged without it.
            return ipaddress.IPv6Address(host.split("%", 1)[0])
        except ValueError:
            raise _refused(f"targetUrl host '{host[:200]}' is not a valid IPv6 address") from None
    last_label = host.removesuffix(".").rsplit(".", 1)[-1]
    if not _NUMERIC_LABEL.match(last_label):
        return None
    try:
        # Strict dotted decimal only: the other forms are read differently by different
        # parsers (Python's refuses them, inet_aton and browsers accept them).
        return ipaddress.IPv4Address(host.removesuffix("."))
    except ValueError:
        raise _refused(
            f"targetUrl host '{host[:200]}' looks like an IPv4 address in a non-standard form; "
            "write it as four decimal numbers (a.b.c.d) or use a host name"
        ) from None


def _resolved(host: str, port: int) -> list[str]:
    try:
        addresses = resolve_addresses(host, port)
    except (OSError, UnicodeError):
        addresses = []
    if not addresses:
        raise _refused(f"targetUrl host '{host[:200]}' does not resolve")
    return addresses


def _parse_address(address: str) -> IPAddress:
    try:
        return ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        raise _refused(f"targetUrl resolves to '{address[:60]}', not an IP address") from None


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv4-mapped, 6to4 or NAT64 IPv6 address reaches, if any."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None
