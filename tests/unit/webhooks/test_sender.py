"""The webhook sender against a real HTTP(S) server on loopback: headers, signature, bounded
time, no redirects, and the send-time SSRF check with a connection pinned to checked addresses.

DNS is substituted through `ssrf.resolve_addresses` (the one seam the guard offers); every TCP
connect the process makes is observed through Python's audit hooks, not a mock.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import re
import ssl
import sys
import time
from collections.abc import Iterator

import pytest

from chalicelib.webhooks import sender, ssrf
from tests.unit.webhooks.receiver import Answer, Receiver

SECRET = "s3cr3t-of-the-webhook"
BODY = json.dumps({"eventName": "person.created", "record": {"id": "r1"}}, separators=(",", ":"))
EVENT_ID = "0190b6f4-6d2a-7c3e-8f00-123456789abc"


class ConnectLog:
    """Addresses of the TCP connects made while `recording` (audit event `socket.connect`)."""

    def __init__(self) -> None:
        self.recording = False
        self.addresses: list[object] = []

    def __call__(self, event: str, args: tuple) -> None:
        if self.recording and event == "socket.connect":
            self.addresses.append(args[1])


CONNECTS = ConnectLog()
sys.addaudithook(CONNECTS)  # audit hooks cannot be removed: this one records only on demand


@pytest.fixture
def connects() -> Iterator[ConnectLog]:
    CONNECTS.addresses.clear()
    CONNECTS.recording = True
    yield CONNECTS
    CONNECTS.recording = False


@pytest.fixture
def dns(monkeypatch) -> dict[str, list[str]]:
    """Names the sender may resolve, and what to; `lookups` counts the resolutions."""
    table: dict[str, list[str]] = {}
    lookups: list[str] = []

    def resolve(host: str, port: int) -> list[str]:
        lookups.append(host)
        return list(table.get(host, []))

    monkeypatch.setattr(ssrf, "resolve_addresses", resolve)
    table["_lookups"] = lookups  # type: ignore[assignment]
    return table


def send(url: str, secret: str = SECRET, **options) -> sender.SendResult:
    options.setdefault("allow_loopback", True)
    headers = sender.signed_headers(secret, BODY, EVENT_ID, int(time.time() * 1000))
    return sender.send(url, BODY, headers, **options)


# -- what the receiver gets ----------------------------------------------------------------------


def test_a_receiver_verifies_the_signature_with_a_few_lines_of_python():
    with Receiver() as receiver:
        result = send(receiver.url())
    assert result == sender.SendResult(200, None, result.elapsed_ms)
    (request,) = receiver.received

    # What docs/webhooks.md tells a receiver to do with the raw body and two headers:
    timestamp = request.header("X-Twenty-Webhook-Timestamp")
    expected = hmac.new(
        SECRET.encode(), timestamp.encode() + b":" + request.body, hashlib.sha256
    ).hexdigest()
    assert hmac.compare_digest(expected, request.header("X-Twenty-Webhook-Signature"))
    assert request.body == BODY.encode()
    assert abs(int(timestamp) - time.time() * 1000) < 5_000


def test_the_request_carries_exactly_the_webhook_headers(dns):
    dns["hooks.example"] = ["127.0.0.1"]
    with Receiver() as receiver:
        send(receiver.url("hooks.example", "/in/twenty?tenant=7"))
    (request,) = receiver.received
    assert request.path == "/in/twenty?tenant=7"
    names = [name for name, _ in request.headers]
    assert sorted(names) == sorted(
        [
            "Host",
            "Accept-Encoding",
            "Content-Length",
            "Content-Type",
            "User-Agent",
            "Webhook-Id",
            "X-Twenty-Webhook-Timestamp",
            "X-Twenty-Webhook-Nonce",
            "X-Twenty-Webhook-Signature",
        ]
    )
    assert request.header("Host") == f"hooks.example:{receiver.port}"
    assert request.header("Content-Type") == "application/json"
    assert request.header("Content-Length") == str(len(BODY.encode()))
    assert request.header("User-Agent") == sender.USER_AGENT
    assert request.header("Webhook-Id") == EVENT_ID
    assert re.fullmatch(r"[0-9]{13}", request.header("X-Twenty-Webhook-Timestamp"))
    assert re.fullmatch(r"[0-9a-f]{32}", request.header("X-Twenty-Webhook-Nonce"))
    assert re.fullmatch(r"[0-9a-f]{64}", request.header("X-Twenty-Webhook-Signature"))


def test_signed_headers_sign_timestamp_colon_body_in_lowercase_hex():
    headers = sender.signed_headers("k", '{"a":1}', "event-1", 1_700_000_000_123)
    assert headers["X-Twenty-Webhook-Timestamp"] == "1700000000123"
    assert (
        headers["X-Twenty-Webhook-Signature"]
        == hmac.new(b"k", b'1700000000123:{"a":1}', hashlib.sha256).hexdigest()
    )
    assert headers["Webhook-Id"] == "event-1"
    assert headers["Content-Type"] == "application/json"


def test_a_webhook_without_a_secret_is_delivered_unsigned():
    headers = sender.signed_headers("", BODY, EVENT_ID, 1_700_000_000_000)
    assert "X-Twenty-Webhook-Signature" not in headers
    assert headers["X-Twenty-Webhook-Timestamp"] == "1700000000000"
    with Receiver() as receiver:
        result = sender.send(receiver.url(), BODY, headers, allow_loopback=True)
    assert result.delivered
    assert receiver.received[0].header("X-Twenty-Webhook-Signature") is None


def test_every_request_has_a_fresh_nonce():
    nonces = {
        sender.signed_headers(SECRET, BODY, EVENT_ID, 1)["X-Twenty-Webhook-Nonce"] for _ in "abc"
    }
    assert len(nonces) == 3


# -- what counts as delivered --------------------------------------------------------------------


@pytest.mark.parametrize("status", [200, 201, 202, 204, 299])
def test_any_2xx_answer_is_a_delivery(status):
    with Receiver(lambda n: Answer(status=status, body=b"")) as receiver:
        result = send(receiver.url())
    assert (result.status_code, result.error, result.delivered) == (status, None, True)


@pytest.mark.parametrize(
    ("status", "error"),
    [(400, "HTTP 400 Bad Request"), (500, "HTTP 500 Internal Server Error"), (503, "HTTP 503")],
)
def test_another_status_is_a_failure_named_by_its_status_line(status, error):
    with Receiver(lambda n: Answer(status=status, body=b"details " + SECRET.encode())) as receiver:
        result = send(receiver.url())
    assert result.status_code == status
    assert result.error.startswith(error)
    assert not result.delivered
    assert SECRET not in result.error  # nothing the receiver says is kept


def test_a_redirect_is_not_followed_and_counts_as_a_failure():
    redirect = Answer(status=302, headers={"Location": "/elsewhere"}, body=b"")
    with Receiver(lambda n: redirect if n == 1 else Answer()) as receiver:
        result = send(receiver.url())
    assert result.status_code == 302
    assert result.error == "HTTP 302: redirects are not followed"
    assert [request.path for request in receiver.received] == ["/hook"]


def test_a_large_answer_is_not_read_to_its_end():
    with Receiver(lambda n: Answer(body=b"x" * 5_000_000)) as receiver:
        result = send(receiver.url())
    assert result.delivered
    assert result.elapsed_ms < 2_000


def test_a_refused_connection_is_a_failure_without_status():
    with Receiver() as receiver:
        url = receiver.url()
    result = send(url)
    assert result.status_code is None
    assert result.error.startswith("ConnectionRefusedError")
    assert SECRET not in result.error


# -- bounded time --------------------------------------------------------------------------------


def test_a_receiver_slower_than_the_timeout_is_a_timed_out_attempt():
    with Receiver(lambda n: Answer(delay_seconds=3)) as receiver:
        result = send(receiver.url(), timeout_seconds=0.5)
    assert result == sender.SendResult(None, "timed out after 0.5 s", result.elapsed_ms)
    assert 400 <= result.elapsed_ms < 1_500


def test_a_receiver_that_drips_its_answer_is_cut_off_at_the_timeout_as_a_whole():
    # A byte every 0.1 s never trips a per-read timeout of 0.5 s; the whole exchange must end.
    with Receiver(lambda n: Answer(drip_seconds=0.1)) as receiver:
        result = send(receiver.url(), timeout_seconds=0.5)
    assert result.error == "timed out after 0.5 s"
    assert result.elapsed_ms < 1_500


def test_the_timeout_never_exceeds_ten_seconds(monkeypatch):
    from dataclasses import replace

    monkeypatch.setattr(sender, "SETTINGS", replace(sender.SETTINGS, webhook_timeout_seconds=60))
    with Receiver() as receiver:
        assert send(receiver.url(), timeout_seconds=60).delivered  # clamped, still sent


# -- the send-time SSRF check and pinning --------------------------------------------------------


def test_a_name_that_now_resolves_to_a_private_address_is_refused_without_connecting(dns, connects):
    dns["hooks.example"] = ["10.0.0.1"]  # public at creation, re-pointed since
    result = send("https://hooks.example/hook")
    assert result.status_code is None
    assert result.error.startswith("target refused: ")
    assert "10.0.0.1" in result.error and "private" in result.error
    assert connects.addresses == []


@pytest.mark.parametrize(
    "address", ["127.0.0.1", "169.254.169.254", "192.168.1.1", "::ffff:10.0.0.1", "0.0.0.0"]
)
def test_loopback_and_non_public_addresses_are_refused_at_send_time(dns, connects, address):
    dns["hooks.example"] = [address]
    result = send("http://hooks.example/", allow_loopback=False)
    assert result.error.startswith("target refused: ")
    assert connects.addresses == []


def test_loopback_is_refused_unless_allowed_by_the_setting(monkeypatch, connects):
    from dataclasses import replace

    with Receiver() as receiver:
        monkeypatch.setattr(
            sender, "SETTINGS", replace(sender.SETTINGS, webhook_allow_loopback=False)
        )
        refused = sender.send(receiver.url(), BODY, {})
        monkeypatch.setattr(
            sender, "SETTINGS", replace(sender.SETTINGS, webhook_allow_loopback=True)
        )
        allowed = sender.send(receiver.url(), BODY, {})
    assert refused.error.startswith("target refused: ") and "loopback" in refused.error
    assert allowed.delivered
    assert len(receiver.received) == 1


def test_the_connection_goes_to_the_checked_address_and_the_name_is_resolved_once(dns, connects):
    # `hooks.example` exists nowhere else: only the checked address can have been used.
    dns["hooks.example"] = ["127.0.0.1"]
    with Receiver() as receiver:
        result = send(receiver.url("hooks.example"))
    assert result.delivered
    assert dns["_lookups"] == ["hooks.example"]
    assert connects.addresses == [("127.0.0.1", receiver.port)]


def test_the_next_checked_address_is_tried_when_the_first_does_not_answer(dns, connects):
    with Receiver() as receiver:
        # The receiver listens on 127.0.0.1 only: ::1 refuses (or is unreachable) at that port.
        dns["hooks.example"] = ["::1", "127.0.0.1"]
        result = send(receiver.url("hooks.example"))
    assert result.delivered, result.error
    assert [address[0] for address in connects.addresses] == ["::1", "127.0.0.1"]


# -- https: SNI and certificate verification against the name ------------------------------------


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    """A test CA and server certificates for `hooks.example` and `other.example`."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    folder = tmp_path_factory.mktemp("pki")
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "webhook test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    (folder / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    for name in ("hooks.example", "other.example"):
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
            .issuer_name(ca_name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
            .sign(ca_key, hashes.SHA256())
        )
        pem = cert.public_bytes(serialization.Encoding.PEM) + key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        (folder / f"{name}.pem").write_bytes(pem)
    return folder


def tls_server(pki, name: str, server_names: list[str | None]) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pki / f"{name}.pem")
    context.sni_callback = lambda sock, server_name, ctx: server_names.append(server_name)
    return context


def trusting(pki) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(pki / "ca.pem"))


def test_https_sends_the_name_as_sni_and_verifies_the_certificate_against_it(pki, dns):
    dns["hooks.example"] = ["127.0.0.1"]
    server_names: list[str | None] = []
    with Receiver(tls=tls_server(pki, "hooks.example", server_names)) as receiver:
        url = receiver.url("hooks.example", scheme="https")
        result = send(url, ssl_context=trusting(pki))
    assert result.delivered, result.error
    assert server_names == ["hooks.example"]
    assert receiver.received[0].header("Host") == f"hooks.example:{receiver.port}"


def test_https_refuses_a_certificate_for_another_name(pki, dns):
    dns["hooks.example"] = ["127.0.0.1"]
    with Receiver(tls=tls_server(pki, "other.example", [])) as receiver:
        result = send(receiver.url("hooks.example", scheme="https"), ssl_context=trusting(pki))
    assert result.status_code is None
    assert "certificate verify failed" in result.error
    assert receiver.received == []


def test_https_refuses_a_certificate_from_an_unknown_authority(pki, dns):
    dns["hooks.example"] = ["127.0.0.1"]
    with Receiver(tls=tls_server(pki, "hooks.example", [])) as receiver:
        result = send(receiver.url("hooks.example", scheme="https"))  # the default trust store
    assert "certificate verify failed" in result.error
    assert receiver.received == []
