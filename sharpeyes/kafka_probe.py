"""Check, in bounded time, that a broker accepts our TLS and SASL credentials, before a client starts.

Why: on a wrong password both kafka-python and aiokafka treat the failed login like an unreachable
broker and retry until their bootstrap timeout, ending in "Unable to bootstrap" (kafka-python 3.0
waits 30 s and never names the cause). An operator deploying an NVR box must instead read "SASL
authentication failed for user X" at once. So the entry points (the edge agent, ``sharpeyes
pipeline run|topics``) call ``probe_access`` first: one TLS handshake against ``ca_file`` and one
SASL exchange (SaslHandshake v1 + SaslAuthenticate v1, the Kafka wire protocol) per bootstrap server,
each under a socket timeout. The SCRAM client (RFC 5802/7677) also checks the broker's signature.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import socket
import ssl
import struct
from dataclasses import dataclass, field

from sharpeyes.errors import SharpEyesError
from sharpeyes.kafka_security import KafkaSecurity, SaslMechanism

SASL_HANDSHAKE = 17
SASL_AUTHENTICATE = 36
CLIENT_ID = b"sharpeyes-probe"


class KafkaAccessError(SharpEyesError):
    """The broker cannot be used with these settings; the message says which step failed."""


class KafkaUnreachable(KafkaAccessError):
    retriable = True


class KafkaTlsError(KafkaAccessError):
    """The TLS handshake failed (wrong CA, host name mismatch, not a TLS port)."""


class KafkaAuthenticationError(KafkaAccessError):
    """The broker refused the SASL credentials. Retrying cannot help; fix the user or password."""


# ---------------------------------------------------------------------------------------------
# SCRAM client: pure, no I/O.
# ---------------------------------------------------------------------------------------------
def _saslname(name: str) -> str:
    return name.replace("=", "=3D").replace(",", "=2C")


@dataclass
class ScramClient:
    """One SCRAM exchange: ``first()``, ``final(server_first)``, ``verify(server_final)``."""

    mechanism: SaslMechanism
    username: str
    password: str = field(repr=False)
    nonce: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    _auth_message: bytes = field(default=b"", repr=False)
    _server_signature: bytes = field(default=b"", repr=False)

    @property
    def _hash(self) -> str:
        return "sha512" if self.mechanism is SaslMechanism.SCRAM_SHA_512 else "sha256"

    def _hmac(self, key: bytes, msg: bytes) -> bytes:
        return hmac.new(key, msg, self._hash).digest()

    def _bare(self) -> str:
        return f"n={_saslname(self.username)},r={self.nonce}"

    def first(self) -> bytes:
        return f"n,,{self._bare()}".encode()

    def final(self, server_first: bytes) -> bytes:
        text = server_first.decode()
        attrs = dict(part.split("=", 1) for part in text.split(",") if "=" in part)
        nonce, salt, iterations = attrs.get("r", ""), attrs.get("s", ""), int(attrs.get("i", "0"))
        if not nonce.startswith(self.nonce) or not salt or iterations < 1:
            raise KafkaAuthenticationError(f"SCRAM: unexpected server-first message {text[:80]!r}")
        salted = hashlib.pbkdf2_hmac(self._hash, self.password.encode(), base64.b64decode(salt), iterations)
        client_key = self._hmac(salted, b"Client Key")
        stored_key = hashlib.new(self._hash, client_key).digest()
        without_proof = f"c=biws,r={nonce}"
        self._auth_message = f"{self._bare()},{text},{without_proof}".encode()
        signature = self._hmac(stored_key, self._auth_message)
        proof = bytes(a ^ b for a, b in zip(client_key, signature, strict=True))
        self._server_signature = self._hmac(self._hmac(salted, b"Server Key"), self._auth_message)
        return f"{without_proof},p={base64.b64encode(proof).decode()}".encode()

    def verify(self, server_final: bytes) -> None:
        """The broker proves it knows our credentials too (it is not an impostor)."""
        text = server_final.decode()
        if text.startswith("e="):
            raise KafkaAuthenticationError(f"SCRAM: broker says {text[2:]}")
        expected = "v=" + base64.b64encode(self._server_signature).decode()
        if not hmac.compare_digest(text.split(",")[0], expected):
            raise KafkaAuthenticationError("SCRAM: the broker's signature does not match")


# ---------------------------------------------------------------------------------------------
# Kafka framing (request header v1, response header v0: both requests are non-flexible).
# ---------------------------------------------------------------------------------------------
def _string(value: bytes) -> bytes:
    return struct.pack(">h", len(value)) + value


def encode_request(api_key: int, version: int, correlation_id: int, body: bytes) -> bytes:
    payload = struct.pack(">hhi", api_key, version, correlation_id) + _string(CLIENT_ID) + body
    return struct.pack(">i", len(payload)) + payload


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def take(self, fmt: str) -> int:
        (value,) = struct.unpack_from(fmt, self.data, self.pos)
        self.pos += struct.calcsize(fmt)
        return int(value)

    def string(self) -> str | None:
        n = self.take(">h")
        if n < 0:
            return None
        value = self.data[self.pos : self.pos + n]
        self.pos += n
        return value.decode("utf-8", "replace")

    def bytes_(self) -> bytes:
        n = self.take(">i")
        value = self.data[self.pos : self.pos + max(n, 0)]
        self.pos += max(n, 0)
        return value


def decode_handshake(body: bytes) -> tuple[int, list[str]]:
    r = _Reader(body)
    error = r.take(">h")
    return error, [r.string() or "" for _ in range(r.take(">i"))]


def decode_authenticate(body: bytes) -> tuple[int, str | None, bytes]:
    r = _Reader(body)
    return r.take(">h"), r.string(), r.bytes_()


# ---------------------------------------------------------------------------------------------
# I/O
# ---------------------------------------------------------------------------------------------
class _Connection:
    def __init__(self, sock: ssl.SSLSocket) -> None:
        self.sock = sock
        self.correlation = 0

    def call(self, api_key: int, version: int, body: bytes) -> bytes:
        self.correlation += 1
        self.sock.sendall(encode_request(api_key, version, self.correlation, body))
        (size,) = struct.unpack(">i", self._exact(4))
        data = self._exact(size)
        (correlation,) = struct.unpack_from(">i", data)
        if correlation != self.correlation:
            raise KafkaAccessError(f"unexpected correlation id {correlation} from the broker")
        return data[4:]

    def _exact(self, n: int) -> bytes:
        chunks, remaining = [], n
        while remaining:
            chunk = self.sock.recv(remaining)
            if not chunk:
                raise KafkaAuthenticationError(
                    "the broker closed the connection during SASL (wrong mechanism or credentials?)"
                )
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)


def _authenticate(conn: _Connection, security: KafkaSecurity, password: str) -> None:
    mechanism = security.mechanism
    error, offered = decode_handshake(conn.call(SASL_HANDSHAKE, 1, _string(mechanism.value.encode())))
    if error:
        raise KafkaAuthenticationError(
            f"broker does not offer SASL mechanism {mechanism.value} (offers {', '.join(offered)})"
        )
    user = security.username or ""

    def step(token: bytes) -> bytes:
        body = struct.pack(">i", len(token)) + token
        code, message, reply = decode_authenticate(conn.call(SASL_AUTHENTICATE, 1, body))
        if code:
            raise KafkaAuthenticationError(
                f"SASL authentication failed for user {user!r} ({mechanism.value}): {message or code}"
            )
        return reply

    if mechanism is SaslMechanism.PLAIN:
        step(b"\0" + user.encode() + b"\0" + password.encode())
        return
    scram = ScramClient(mechanism, user, password)
    server_first = step(scram.first())
    scram.verify(step(scram.final(server_first)))


def _split(server: str) -> tuple[str, int]:
    host, _, port = server.strip().rpartition(":")
    if not host or not port.isdigit():
        raise KafkaAccessError(f"bootstrap server {server!r} is not host:port")
    return host.strip("[]"), int(port)


def probe_access(bootstrap: str, security: KafkaSecurity, timeout_s: float = 10.0) -> None:
    """Raise a ``KafkaAccessError`` subclass naming the step that failed, within about ``timeout_s``
    per server; return when one bootstrap server accepted TLS and the SASL login. PLAINTEXT: no-op
    (an unreachable plaintext broker is reported by the client itself)."""
    if not security.secured:
        return
    password = security.secret().get_secret_value()
    context = security.ssl_context()
    failures: list[KafkaAccessError] = []
    for server in bootstrap.split(","):
        host, port = _split(server)
        try:
            raw = socket.create_connection((host, port), timeout=timeout_s)
        except OSError as exc:
            failures.append(KafkaUnreachable(f"cannot connect to {host}:{port}: {exc}"))
            continue
        try:
            with context.wrap_socket(raw, server_hostname=host) as tls:
                _authenticate(_Connection(tls), security, password)
                return
        except ssl.SSLCertVerificationError as exc:
            raise KafkaTlsError(f"TLS to {host}:{port}: {exc.verify_message or exc}") from None
        except (ssl.SSLError, ConnectionResetError) as exc:
            raise KafkaTlsError(f"TLS to {host}:{port} failed (is it a SASL_SSL listener?): {exc}") from None
        except TimeoutError:
            failures.append(KafkaUnreachable(f"{host}:{port} did not answer within {timeout_s:g} s"))
        finally:
            raw.close()
    if len(failures) == 1:
        raise failures[0]
    raise KafkaUnreachable("; ".join(str(f) for f in failures))
