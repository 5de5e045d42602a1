"""One signed webhook POST: the send-time SSRF check, a connection pinned to the checked
addresses, bounded time and bounded reading.

The target is checked again at send time (webhooks/ssrf.py re-resolves its host), and the
connection goes to one of the addresses that check approved, never to a fresh lookup of the
name: a DNS answer that changes between the check and the connect (rebinding) cannot redirect
the request to a private address. The name still travels where it belongs: in the Host header
and, for https, as the TLS server name the certificate is verified against.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import http.client
import secrets
import socket
import ssl
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

from chalicelib.errors import WebhookTargetRefusedError
from chalicelib.settings import SETTINGS
from chalicelib.webhooks import ssrf

USER_AGENT = "Twenty-Serverless-CRM-Webhooks/1.0"
# Enough of an answer to end the exchange cleanly; what a receiver says is never stored.
MAX_RESPONSE_BYTES = 4096
_MAX_ERROR_CHARS = 300


@dataclass(frozen=True, slots=True)
class SendResult:
    status_code: int | None  # None when no HTTP answer came back
    error: str | None  # None exactly when the receiver answered 2xx
    elapsed_ms: int

    @property
    def delivered(self) -> bool:
        return self.error is None


def signed_headers(secret: str, body: str, event_id: str, timestamp_ms: int) -> dict[str, str]:
    """Twenty's webhook headers (reference 11.4) plus `Webhook-Id`, the event's stable id.

    The signature is lowercase hex HMAC-SHA256, keyed by the secret, over "<timestamp>:<body>";
    a webhook without a secret is delivered unsigned, as Twenty does.
    """
    timestamp = str(timestamp_ms)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Webhook-Id": event_id,
        "X-Twenty-Webhook-Timestamp": timestamp,
        "X-Twenty-Webhook-Nonce": secrets.token_hex(16),
    }
    if secret:
        message = f"{timestamp}:{body}".encode()
        headers["X-Twenty-Webhook-Signature"] = hmac.new(
            secret.encode(), message, hashlib.sha256
        ).hexdigest()
    return headers


def send(
    target_url: str,
    body: str,
    headers: Mapping[str, str],
    *,
    allow_loopback: bool | None = None,
    timeout_seconds: float | None = None,
    ssl_context: ssl.SSLContext | None = None,
) -> SendResult:
    """POST `body` to `target_url`; never raises for anything the target or the network does.

    2xx is success; any other status (3xx included: redirects are not followed), a refused
    target, a network error or the timeout is a failure described in `error`.
    """
    started = time.monotonic()
    loopback = SETTINGS.webhook_allow_loopback if allow_loopback is None else allow_loopback
    wanted = SETTINGS.webhook_timeout_seconds if timeout_seconds is None else timeout_seconds
    timeout = min(10.0, wanted)
    try:
        target = ssrf.checked_target(target_url, allow_loopback=loopback)
    except WebhookTargetRefusedError as exc:
        return _result(started, None, f"target refused: {exc.message}")
    context = ssl_context or _default_ssl_context()
    connection = _pinned_connection(target, timeout, context, started + timeout)
    watchdog = _Watchdog(connection, timeout)
    try:
        connection.request("POST", _request_target(target.url), body.encode(), dict(headers))
        response = connection.getresponse()
        status, reason = response.status, response.reason
        # The status decides; a body cut short (or cut off by the watchdog) changes nothing.
        with contextlib.suppress(OSError, http.client.HTTPException):
            response.read(MAX_RESPONSE_BYTES)
    except (OSError, http.client.HTTPException, ValueError) as exc:
        if watchdog.fired or isinstance(exc, TimeoutError):
            return _result(started, None, f"timed out after {timeout:g} s")
        return _result(started, None, _describe(exc))
    finally:
        watchdog.cancel()
        connection.close()
    if 200 <= status < 300:
        return _result(started, status, None)
    if 300 <= status < 400:
        return _result(started, status, f"HTTP {status}: redirects are not followed")
    return _result(started, status, _clip(f"HTTP {status} {reason}".strip()))


def _result(started: float, status: int | None, error: str | None) -> SendResult:
    return SendResult(status, error, int((time.monotonic() - started) * 1000))


def _request_target(url: str) -> str:
    parts = urlsplit(url)
    path = parts.path or "/"
    return f"{path}?{parts.query}" if parts.query else path


def _describe(exc: BaseException) -> str:
    """A short, header-free account of a network failure (an exception never holds a secret
    here: headers and body are not part of any exception raised while sending)."""
    text = str(exc).strip()
    return _clip(f"{type(exc).__name__}: {text}" if text else type(exc).__name__)


def _clip(text: str) -> str:
    return text if len(text) <= _MAX_ERROR_CHARS else text[: _MAX_ERROR_CHARS - 1] + "…"


def _connect_pinned(addresses: tuple[str, ...], port: int, deadline: float) -> socket.socket:
    """A TCP connection to the first of the checked addresses that answers before the deadline."""
    if not addresses:
        raise OSError("the target has no checked address")
    last_error: OSError = OSError("no checked address answered")
    for address in addresses:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("connect timed out")
        try:
            return socket.create_connection((address, port), timeout=remaining)
        except OSError as exc:
            last_error = exc
    raise last_error


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, target: ssrf.Target, timeout: float, deadline: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._addresses = target.addresses
        self._deadline = deadline

    def connect(self) -> None:
        self.sock = _connect_pinned(self._addresses, self.port, self._deadline)
        self.sock.settimeout(self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(
        self, target: ssrf.Target, timeout: float, context: ssl.SSLContext, deadline: float
    ) -> None:
        super().__init__(target.host, target.port, timeout=timeout, context=context)
        self._addresses = target.addresses
        self._deadline = deadline
        self._tls = context

    def connect(self) -> None:
        raw = _connect_pinned(self._addresses, self.port, self._deadline)
        raw.settimeout(self.timeout)
        # SNI and certificate verification use the name, not the address connected to.
        self.sock = self._tls.wrap_socket(raw, server_hostname=self.host)


def _pinned_connection(
    target: ssrf.Target, timeout: float, context: ssl.SSLContext, deadline: float
) -> http.client.HTTPConnection:
    if target.scheme == "https":
        return _PinnedHTTPSConnection(target, timeout, context, deadline)
    return _PinnedHTTPConnection(target, timeout, deadline)


class _Watchdog:
    """Ends an exchange that outlives the timeout as a whole: per-operation socket timeouts
    alone would let a receiver that drips a byte every few seconds hold the attempt forever."""

    def __init__(self, connection: http.client.HTTPConnection, seconds: float) -> None:
        self.fired = False
        self._connection = connection
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        self.fired = True
        sock = self._connection.sock
        if sock is not None:
            # Already closed when the exchange ended on its own just now.
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def cancel(self) -> None:
        self._timer.cancel()


@cache
def _default_ssl_context() -> ssl.SSLContext:
    """Verifying context (certificate chain and host name); botocore's CA bundle when the system
    store is empty, as in some minimal Lambda images."""
    context = ssl.create_default_context()
    if not context.cert_store_stats().get("x509_ca"):
        from botocore.httpsession import get_cert_path

        context.load_verify_locations(cafile=get_cert_path(True))
    return context
