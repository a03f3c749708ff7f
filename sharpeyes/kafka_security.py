"""How a client authenticates to Kafka: PLAINTEXT on a trusted network, or SASL_SSL (SCRAM over TLS).

One frozen model feeds every client the project runs: the edge producer (kafka-python), the Faust
workers (aiokafka, through ``broker_credentials``) and the topic admin (kafka-python). The password
is a ``SecretStr`` (``repr``, ``str`` and ``model_dump`` show ``**********``) and is best kept out of
config files altogether: ``password_env`` names an environment variable, ``password_file`` a file
(a systemd credential, a Kubernetes or Compose secret). It is read when a client is built, so a
rotated file is picked up on the next start, and it only ever leaves as a client keyword argument.
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, model_validator

from sharpeyes.config.camera import ConfigModel
from sharpeyes.errors import SharpEyesError


class MaskedStr(str):
    """A str whose ``repr`` is masked: kafka-python logs its whole config dict (``repr`` of each value)
    at DEBUG when a client starts, which would otherwise print the SASL password."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "'**********'"


class KafkaSecurityError(SharpEyesError):
    """The security settings cannot be used (no password found, unreadable CA file)."""


class KafkaProtocol(StrEnum):
    PLAINTEXT = "PLAINTEXT"
    SASL_SSL = "SASL_SSL"


class SaslMechanism(StrEnum):
    SCRAM_SHA_512 = "SCRAM-SHA-512"
    SCRAM_SHA_256 = "SCRAM-SHA-256"
    PLAIN = "PLAIN"


class KafkaSecurity(ConfigModel):
    protocol: KafkaProtocol = Field(default=KafkaProtocol.PLAINTEXT, description="PLAINTEXT | SASL_SSL")
    mechanism: SaslMechanism = Field(default=SaslMechanism.SCRAM_SHA_512, description="SASL mechanism")
    username: str | None = Field(default=None, min_length=1, description="SASL user")
    password: SecretStr | None = Field(
        default=None, description="inline password; prefer password_env or password_file"
    )
    password_env: str | None = Field(
        default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", description="environment variable holding it"
    )
    password_file: Path | None = Field(default=None, description="file holding it (trailing newline ignored)")
    ca_file: Path | None = Field(
        default=None, description="PEM bundle of the CA that signed the brokers; system CAs if unset"
    )
    check_hostname: bool = Field(default=True, description="verify the broker certificate's host name")

    @model_validator(mode="after")
    def _complete(self) -> KafkaSecurity:
        if self.protocol is KafkaProtocol.PLAINTEXT:
            return self
        if self.username is None:
            raise ValueError("SASL_SSL needs a username")
        sources = [s for s in (self.password, self.password_env, self.password_file) if s is not None]
        if len(sources) != 1:
            raise ValueError("SASL_SSL needs exactly one of password, password_env, password_file")
        return self

    @property
    def secured(self) -> bool:
        return self.protocol is KafkaProtocol.SASL_SSL

    def resolve_paths(self, base: Path) -> KafkaSecurity:
        """Relative ``ca_file``/``password_file`` are relative to the config file that named them."""
        updates = {
            name: base / value
            for name in ("ca_file", "password_file")
            if (value := getattr(self, name)) is not None and not value.is_absolute()
        }
        return self.model_copy(update=updates) if updates else self

    def secret(self, environ: Mapping[str, str] | None = None) -> SecretStr:
        """The password, from wherever the config says; raises naming the source, never the value."""
        if self.password is not None:
            return self.password
        if self.password_env is not None:
            env = os.environ if environ is None else environ
            value = env.get(self.password_env, "")
            if not value:
                raise KafkaSecurityError(f"Kafka password: environment variable {self.password_env} is unset")
            return SecretStr(value)
        if self.password_file is not None:
            try:
                value = self.password_file.read_text(encoding="utf-8").rstrip("\r\n")
            except OSError as exc:
                raise KafkaSecurityError(
                    f"Kafka password: cannot read {self.password_file}: {exc.strerror}"
                ) from None
            if not value:
                raise KafkaSecurityError(f"Kafka password: {self.password_file} is empty")
            return SecretStr(value)
        raise KafkaSecurityError("Kafka password: no source configured")

    def ssl_context(self) -> ssl.SSLContext:
        """A client TLS context that verifies the broker against ``ca_file`` (or the system CAs)."""
        try:
            context = ssl.create_default_context(
                cafile=str(self.ca_file) if self.ca_file is not None else None
            )
        except (OSError, ssl.SSLError) as exc:
            raise KafkaSecurityError(f"Kafka CA file {self.ca_file}: {exc}") from None
        context.check_hostname = self.check_hostname
        return context

    def kafka_python_kwargs(self, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
        """Keyword arguments for kafka-python's producer, consumer and admin client."""
        return self._client_kwargs(environ)

    def aiokafka_kwargs(self, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
        """Keyword arguments for aiokafka's producer, consumer and admin client (same names)."""
        return self._client_kwargs(environ)

    def _client_kwargs(self, environ: Mapping[str, str] | None) -> dict[str, Any]:
        if not self.secured:
            return {"security_protocol": "PLAINTEXT"}
        return {
            "security_protocol": "SASL_SSL",
            "sasl_mechanism": self.mechanism.value,
            "sasl_plain_username": self.username,
            "sasl_plain_password": MaskedStr(self.secret(environ).get_secret_value()),
            "ssl_context": self.ssl_context(),
        }

    def faust_credentials(self, environ: Mapping[str, str] | None = None) -> Any:
        """``broker_credentials=`` for ``faust.App`` (None on PLAINTEXT); faust hands it to aiokafka."""
        if not self.secured:
            return None
        from faust.auth import SASLCredentials

        return SASLCredentials(
            username=self.username,
            password=self.secret(environ).get_secret_value(),
            ssl_context=self.ssl_context(),
            mechanism=self.mechanism.value,
        )

    def describe(self) -> str:
        """For log lines: protocol, mechanism and user, never the password or where it lives."""
        if not self.secured:
            return "PLAINTEXT"
        return f"SASL_SSL/{self.mechanism.value} user={self.username}"
