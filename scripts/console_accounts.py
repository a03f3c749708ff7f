"""Add or replace a console account in an accounts YAML file, with a scrypt password hash.

python scripts/console_accounts.py configs/console-accounts.yaml wang.li --role operator
(asks for the password; or pipe it: echo secret | ... --password-stdin)
"""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

import click
import yaml

from pipeline.console.auth import Role
from pipeline.console.passwords import hash_password


@click.command()
@click.argument("accounts_file", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("username")
@click.option(
    "--role", type=click.Choice([r.value for r in Role]), default=Role.OPERATOR.value, show_default=True
)
@click.option("--name", "display_name", default=None, help="shown in the console header")
@click.option("--password-stdin", is_flag=True, help="read the password from the first line of stdin")
def main(
    accounts_file: Path, username: str, role: str, display_name: str | None, password_stdin: bool
) -> None:
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"password for {username}: ")
        if password != getpass.getpass("again: "):
            raise click.ClickException("the passwords differ")
    if len(password) < 8:
        raise click.ClickException("use at least 8 characters")
    doc = yaml.safe_load(accounts_file.read_text(encoding="utf-8")) if accounts_file.exists() else None
    accounts = [a for a in (doc or {}).get("accounts", []) if a.get("username") != username]
    entry = {"username": username, "role": role, "password_hash": hash_password(password)}
    if display_name:
        entry["display_name"] = display_name
    accounts.append(entry)
    accounts_file.write_text(yaml.safe_dump({"accounts": accounts}, allow_unicode=True, sort_keys=False))
    click.echo(f"{username} ({role}) written to {accounts_file}")


if __name__ == "__main__":
    main()
