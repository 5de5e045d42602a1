"""The SSRF guard: which webhook targets are refused, with DNS substituted where a name is used."""

from __future__ import annotations

import socket

import pytest

from chalicelib.errors import WebhookTargetRefusedError
from chalicelib.webhooks import ssrf

PUBLIC_V4 = "93.184.216.34"
PUBLIC_V6 = "2606:2800:220:1:248:1893:25c8:1946"


class FakeDns:
    """Names this test's DNS knows (any other does not resolve), and the lookups made."""

    def __init__(self) -> None:
        self.names: dict[str, list[str]] = {}
        self.lookups: list[tuple[str, int]] = []

    def __setitem__(self, host: str, addresses: list[str]) -> None:
        self.names[host] = addresses

    def resolve(self, host: str, port: int) -> list[str]:
        self.lookups.append((host, port))
        if host not in self.names:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return self.names[host]


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> FakeDns:
    fake = FakeDns()
    monkeypatch.setattr(ssrf, "resolve_addresses", fake.resolve)
    return fake


def refusal(url: str, *, allow_loopback: bool = False) -> str:
    with pytest.raises(WebhookTargetRefusedError) as caught:
        ssrf.checked_target(url, allow_loopback=allow_loopback)
    assert caught.value.code == "WEBHOOK_TARGET_REFUSED"
    return caught.value.message


REFUSED_LITERALS = [
    ("http://127.0.0.1/", "loopback"),
    ("http://127.8.9.10:8080/hook", "loopback"),
    ("http://[::1]/", "loopback"),
    ("http://10.0.0.1/", "private"),
    ("http://10.255.255.255/", "private"),
    ("http://172.16.0.1/", "private"),
    ("http://172.31.255.254/", "private"),
    ("http://192.168.1.1/", "private"),
    ("http://100.64.0.1/", "shared"),
    ("http://100.127.255.254/", "shared"),
    ("http://169.254.169.254/latest/meta-data/", "link-local"),
    ("http://[fe80::1]/", "link-local"),
    ("http://[fe80::1%25eth0]/", "link-local"),
    ("http://[fc00::1]/", "private"),
    ("http://[fd12:3456:789a::1]/", "private"),
    ("http://224.0.0.1/", "multicast"),
    ("http://239.255.255.250/", "multicast"),
    ("http://[ff02::1]/", "multicast"),
    ("http://0.0.0.0/", "unspecified"),
    ("http://[::]/", "unspecified"),
    ("http://[::ffff:127.0.0.1]/", "loopback"),
    ("http://[::ffff:10.0.0.1]/", "private"),
    ("http://[::ffff:169.254.169.254]/", "link-local"),
    ("http://[2002:a00:1::]/", "private"),  # 6to4 of 10.0.0.1
    ("http://[2002:7f00:1::1]/", "loopback"),  # 6to4 of 127.0.0.1
    ("http://[64:ff9b::a9fe:a9fe]/", "link-local"),  # NAT64 of 169.254.169.254
    ("http://240.0.0.1/", "reserved"),
    ("http://255.255.255.255/", "reserved"),
    ("http://192.0.2.10/", "private"),  # documentation range
]


@pytest.mark.parametrize(("url", "reason"), REFUSED_LITERALS)
def test_a_literal_address_of_every_non_public_class_is_refused(dns, url, reason):
    message = refusal(url)
    assert f"({reason}" in message
    assert dns.lookups == []  # a literal is never sent to DNS


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "::1",
        "10.1.2.3",
        "172.20.0.5",
        "192.168.0.10",
        "100.64.1.1",
        "169.254.169.254",
        "fe80::abcd",
        "fc00::5",
        "224.0.0.251",
        "ff02::fb",
        "0.0.0.0",
        "::",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
    ],
)
def test_a_name_resolving_to_a_non_public_address_is_refused(dns, address):
    dns["hooks.example.com"] = [address]
    message = refusal("https://hooks.example.com/twenty")
    assert f"hooks.example.com ({address})" in message


def test_a_name_with_one_public_and_one_private_address_is_refused(dns):
    dns["split.example.com"] = [PUBLIC_V4, "10.0.0.7"]
    assert "10.0.0.7" in refusal("https://split.example.com/")


def test_a_name_that_does_not_resolve_is_refused(dns):
    assert "does not resolve" in refusal("https://nowhere.invalid/")


def test_a_name_resolving_to_nothing_is_refused(dns):
    dns["empty.example.com"] = []
    assert "does not resolve" in refusal("https://empty.example.com/")


def test_a_public_name_passes_with_every_address_it_resolved_to(dns):
    dns["hooks.example.com"] = [PUBLIC_V4, PUBLIC_V6]
    target = ssrf.checked_target("https://hooks.example.com:8443/in?x=1", allow_loopback=False)
    assert target == ssrf.Target(
        url="https://hooks.example.com:8443/in?x=1",
        scheme="https",
        host="hooks.example.com",
        port=8443,
        addresses=(PUBLIC_V4, PUBLIC_V6),
    )
    assert dns.lookups == [("hooks.example.com", 8443)]


def test_default_ports_follow_the_scheme(dns):
    assert ssrf.checked_target(f"http://{PUBLIC_V4}/", allow_loopback=False).port == 80
    assert ssrf.checked_target(f"HTTPS://{PUBLIC_V4}/", allow_loopback=False).port == 443


def test_public_literal_addresses_pass_without_dns(dns):
    assert ssrf.checked_target(f"http://[{PUBLIC_V6}]/", allow_loopback=False).addresses == (
        PUBLIC_V6,
    )
    assert ssrf.checked_target("http://8.8.8.8/", allow_loopback=False).host == "8.8.8.8"
    assert dns.lookups == []


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/",
        "file:///etc/passwd",
        "gopher://x/",
        "javascript:alert(1)",
        "example.com/hook",
        "//example.com/hook",
        "mailto:a@example.com",
    ],
)
def test_only_http_and_https_are_accepted(dns, url):
    assert "http or https" in refusal(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://evil@127.0.0.1/",
        "http://user:pass@hooks.example.com/",
        "http://127.0.0.1@evil.com/",
        "http://a@b@127.0.0.1/",
    ],
)
def test_credentials_in_the_url_are_refused(dns, url):
    dns["evil.com"] = [PUBLIC_V4]
    dns["hooks.example.com"] = [PUBLIC_V4]
    assert "user name or password" in refusal(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://2130706433/",
        "http://0177.0.0.1/",
        "http://0x7f.0.0.1/",
        "http://0x7f000001/",
        "http://127.1/",
        "http://017700000001/",
        "http://1.2.3.04/",
        "http://134744072/",
    ],
)
def test_ipv4_addresses_in_inet_aton_forms_are_refused(dns, url):
    # 134744072 is 8.8.8.8: even a public address must be written as a.b.c.d, since parsers
    # disagree on what the other forms mean.
    assert "non-standard form" in refusal(url)
    assert dns.lookups == []


@pytest.mark.parametrize(
    "url",
    [
        "http://exa mple.com/",
        "http://example.com/\nHost: evil",
        "http://exa\tmple.com/",
        "http:///nohost",
        "http://[::1/",
        "http://ex%41mple.com/",
        "http://8.8.8.8:99999/",
        "http://8.8.8.8:0/",
        "http://8.8.8.8:port/",
        "",
        "http://" + "a" * 2100 + ".com/",
    ],
)
def test_malformed_urls_are_refused(dns, url):
    refusal(url)


def test_a_non_string_url_is_refused():
    with pytest.raises(WebhookTargetRefusedError):
        ssrf.checked_target(None, allow_loopback=False)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8765/hook", "http://[::1]:8765/", "http://localhost:8765/"]
)
def test_loopback_is_allowed_only_with_the_setting(dns, url):
    dns["localhost"] = ["127.0.0.1", "::1"]
    assert "loopback" in refusal(url)
    target = ssrf.checked_target(url, allow_loopback=True)
    assert target.port == 8765


@pytest.mark.parametrize(
    "url", ["http://10.0.0.1/", "http://169.254.169.254/", "http://0.0.0.0/", "http://[fe80::1]/"]
)
def test_allowing_loopback_allows_nothing_else(dns, url):
    refusal(url, allow_loopback=True)


def test_an_internationalised_name_is_resolved_in_its_ascii_form(dns):
    dns["xn--bcher-kva.example"] = [PUBLIC_V4]
    target = ssrf.checked_target("https://Bücher.example/", allow_loopback=False)
    assert target.host == "xn--bcher-kva.example"


def test_the_real_resolver_returns_the_addresses_of_a_name():
    assert "127.0.0.1" in ssrf.resolve_addresses("localhost", 80) or "::1" in (
        ssrf.resolve_addresses("localhost", 80)
    )
