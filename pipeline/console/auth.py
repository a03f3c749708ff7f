"""Operator accounts: who may log in, with which role, checked against a scrypt hash.

Accounts come from a YAML file (``scripts/console_accounts.py`` writes it)::

    accounts:
      - username: wang.li
        role: operator
        password_hash: scrypt$16384$8$1$...$...

Roles: an ``operator`` watches the feed and rules on fresh cases (confirm, false positive, note);
a ``supervisor`` may also withdraw a case already dispatched, verify and close (``actions.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from pydantic import Field, field_validator

from pipeline.console.errors import AccountsError
from pipeline.console.passwords import ScryptHash, hash_password, verify_password
from sharpeyes.config.camera import ConfigModel
from sharpeyes.config.loading import model_from_data, read_yaml
from sharpeyes.errors import ConfigError


class Role(StrEnum):
    OPERATOR = "operator"
    SUPERVISOR = "supervisor"


class AccountEntry(ConfigModel):
    username: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._\-]*$")
    role: Role
    password_hash: str = Field(min_length=1)
    display_name: str | None = Field(default=None, max_length=64)

    @field_validator("password_hash")
    @classmethod
    def _hash(cls, value: str) -> str:
        try:
            ScryptHash.decode(value)
        except AccountsError as exc:
            raise ValueError(str(exc)) from None
        return value


class AccountsFile(ConfigModel):
    accounts: list[AccountEntry] = Field(min_length=1)


@dataclass(frozen=True)
class Account:
    username: str
    role: Role
    display_name: str
    hashed: ScryptHash


# Checked when the username is unknown, so a miss costs as long as a wrong password.
_DECOY = ScryptHash.decode(hash_password("decoy", n=2**14))


class Accounts:
    def __init__(self, accounts: list[Account]) -> None:
        self._by_name = {a.username: a for a in accounts}
        if len(self._by_name) != len(accounts):
            raise AccountsError("duplicate username")

    @classmethod
    def from_entries(cls, entries: list[AccountEntry]) -> Accounts:
        return cls(
            [
                Account(e.username, e.role, e.display_name or e.username, ScryptHash.decode(e.password_hash))
                for e in entries
            ]
        )

    def get(self, username: str) -> Account | None:
        return self._by_name.get(username)

    def authenticate(self, username: str, password: str) -> Account | None:
        account = self._by_name.get(username)
        ok = verify_password(password, account.hashed if account else _DECOY)
        return account if account is not None and ok else None


def load_accounts(path: Path) -> Accounts:
    """Read and validate an accounts file; a ``ConfigError`` names the file and the entry."""
    data = model_from_data(AccountsFile, read_yaml(path), str(path))
    names = [e.username for e in data.accounts]
    for name in names:
        if names.count(name) > 1:
            raise ConfigError(str(path), f"account {name}", "duplicate username")
    return Accounts.from_entries(data.accounts)
