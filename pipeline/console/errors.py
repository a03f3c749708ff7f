"""The console's errors: one base, so the entry point can tell configuration problems from bugs."""

from __future__ import annotations

from sharpeyes.errors import SharpEyesError


class ConsoleError(SharpEyesError):
    """Base for console errors. Not retriable unless a subclass says so."""


class AccountsError(ConsoleError):
    """The accounts file is missing, malformed or holds an unusable password hash."""
