"""``KafkaSecurity``: validation, where the password comes from, client kwargs, and that the secret
never shows in repr, dumps, log lines or errors. The SCRAM client against RFC 7677's test vector."""

from __future__ import annotations

import logging
import ssl
from pathlib import Path

import pytest
from pydantic import ValidationError

from pipeline.config import load_pipeline_config
from sharpeyes.kafka_probe import KafkaAuthenticationError, ScramClient, decode_authenticate, encode_request
from sharpeyes.kafka_security import KafkaSecurity, KafkaSecurityError, SaslMechanism

SECRET = "s3cret-Pa55word"


def sasl(**fields: object) -> KafkaSecurity:
    return KafkaSecurity.model_validate({"protocol": "SASL_SSL", "username": "nvr-1", **fields})


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        pytest.param({"protocol": "SASL_SSL", "password": "x"}, "needs a username", id="no-user"),
        pytest.param({"protocol": "SASL_SSL", "username": "u"}, "exactly one of", id="no-password"),
        pytest.param(
            {"protocol": "SASL_SSL", "username": "u", "password": "x", "password_env": "P"},
            "exactly one of",
            id="two-sources",
        ),
        pytest.param({"protocol": "SSL"}, "protocol", id="unknown-protocol"),
        pytest.param({"mechanism": "GSSAPI"}, "mechanism", id="unsupported-mechanism"),
        pytest.param({"password_env": "1BAD"}, "password_env", id="bad-env-name"),
        pytest.param({"pasword": "x"}, "pasword", id="typo"),
    ],
)
def test_invalid_settings_are_refused(fields: dict[str, object], says: str) -> None:
    with pytest.raises(ValidationError, match=says):
        KafkaSecurity.model_validate(fields)


def test_password_sources(tmp_path: Path) -> None:
    file = tmp_path / "pw"
    file.write_text(SECRET + "\n")
    assert sasl(password_file=file).secret().get_secret_value() == SECRET
    assert sasl(password_env="KAFKA_PW").secret({"KAFKA_PW": SECRET}).get_secret_value() == SECRET
    assert sasl(password=SECRET).secret().get_secret_value() == SECRET


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        pytest.param({"password_env": "KAFKA_PW"}, "KAFKA_PW is unset", id="env-unset"),
        pytest.param({"password_file": "/nonexistent/pw"}, "cannot read /nonexistent/pw", id="file-missing"),
    ],
)
def test_missing_password_names_the_source(fields: dict[str, object], says: str) -> None:
    with pytest.raises(KafkaSecurityError, match=says):
        sasl(**fields).secret({})


def test_empty_password_file_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "pw").write_text("\n")
    with pytest.raises(KafkaSecurityError, match="is empty"):
        sasl(password_file=tmp_path / "pw").secret()


def test_secret_never_shown(caplog: pytest.LogCaptureFixture) -> None:
    """Regression: kafka-python 3.0 logs ``Starting KafkaAdminClient with configuration: {...}`` at DEBUG,
    password included, until the kwargs carried it as a ``MaskedStr``."""
    security = sasl(password=SECRET)
    assert SECRET not in repr(security)
    assert SECRET not in str(security.model_dump())
    assert SECRET not in security.model_dump_json()
    assert SECRET not in security.describe()
    assert SECRET not in repr(security.faust_credentials())
    with caplog.at_level(logging.DEBUG):
        from kafka import KafkaAdminClient

        with pytest.raises(Exception):  # noqa: B017 - nothing listens there; only the logs matter
            KafkaAdminClient(
                bootstrap_servers="127.0.0.1:1", bootstrap_timeout_ms=300, **security.kafka_python_kwargs()
            )
    assert caplog.records, "kafka-python logged at DEBUG"
    assert all(SECRET not in r.getMessage() for r in caplog.records)


def test_client_kwargs() -> None:
    assert KafkaSecurity().kafka_python_kwargs() == {"security_protocol": "PLAINTEXT"}
    assert KafkaSecurity().faust_credentials() is None
    kwargs = sasl(password=SECRET, mechanism="SCRAM-SHA-256").aiokafka_kwargs()
    assert kwargs["security_protocol"] == "SASL_SSL"
    assert kwargs["sasl_mechanism"] == "SCRAM-SHA-256"
    assert (kwargs["sasl_plain_username"], kwargs["sasl_plain_password"]) == ("nvr-1", SECRET)
    context = kwargs["ssl_context"]
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode is ssl.CERT_REQUIRED and context.check_hostname
    credentials = sasl(password=SECRET).faust_credentials()
    assert (credentials.protocol.value, credentials.mechanism.value) == ("SASL_SSL", "SCRAM-SHA-512")


def test_bad_ca_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "ca.pem").write_text("not a certificate")
    with pytest.raises(KafkaSecurityError, match="CA file"):
        sasl(password=SECRET, ca_file=tmp_path / "ca.pem").ssl_context()


def test_pipeline_config_resolves_security_paths(tmp_path: Path) -> None:
    (tmp_path / "pipeline.yaml").write_text(
        "kafka:\n  security:\n    protocol: SASL_SSL\n    username: worker\n"
        "    password_file: secrets/kafka.pw\n    ca_file: /etc/ssl/kafka-ca.pem\n"
    )
    security = load_pipeline_config(tmp_path / "pipeline.yaml").kafka.security
    assert security.password_file == tmp_path / "secrets" / "kafka.pw"
    assert security.ca_file == Path("/etc/ssl/kafka-ca.pem")


def test_scram_sha256_matches_rfc7677_vector() -> None:
    """RFC 7677 section 3: user "user", password "pencil"."""
    client = ScramClient(SaslMechanism.SCRAM_SHA_256, "user", "pencil", nonce="rOprNGfwEbeRWgbNEkqO")
    assert client.first() == b"n,,n=user,r=rOprNGfwEbeRWgbNEkqO"
    server_first = b"r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
    assert client.final(server_first) == (
        b"c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
        b"p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
    )
    client.verify(b"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")
    with pytest.raises(KafkaAuthenticationError, match="signature"):
        client.verify(b"v=AAAATRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")


def test_scram_refuses_a_server_nonce_it_did_not_extend() -> None:
    client = ScramClient(SaslMechanism.SCRAM_SHA_512, "u=,x", "pw", nonce="abc")
    assert client.first() == b"n,,n=u=3D=2Cx,r=abc"
    with pytest.raises(KafkaAuthenticationError, match="server-first"):
        client.final(b"r=zzz,s=c2FsdA==,i=4096")


def test_wire_framing() -> None:
    frame = encode_request(36, 1, 7, b"\x00\x00\x00\x02hi")
    assert frame[:4] == (len(frame) - 4).to_bytes(4, "big")
    assert frame[4:12] == b"\x00\x24\x00\x01\x00\x00\x00\x07"
    assert frame[12:29] == b"\x00\x0fsharpeyes-probe"
    body = b"\x00\x3a" + b"\x00\x03bad" + b"\x00\x00\x00\x00" + b"\x00" * 8
    assert decode_authenticate(body) == (58, "bad", b"")
