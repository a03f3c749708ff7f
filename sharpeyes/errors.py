"""One base exception for the project; subclasses say whether a retry can help.

The outbox, the webhook dispatcher and the stream stages decide between *retry* and
*dead letter* from the exception type alone, never from message text.
"""

from __future__ import annotations


class SharpEyesError(Exception):
    """Base of every error this project raises on purpose."""

    retriable: bool = False


class ContractError(SharpEyesError):
    """A message does not follow the wire contract. Never retriable: it goes to a dead letter.

    ``field`` is the dotted path of the offending field (``"attributes.origin_floor"``),
    or ``""`` when the message as a whole is unreadable (not UTF-8, not JSON, not an object).
    """

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"{field}: {problem}" if field else problem)


class UnsupportedSchemaError(ContractError):
    """The message names a schema major version this build does not understand."""


class ConfigError(SharpEyesError):
    """A configuration or registry file is wrong; the message names the file and the field or id."""

    def __init__(self, source: str, where: str, problem: str) -> None:
        self.source = source
        self.where = where
        self.problem = problem
        location = f"{source}: {where}" if where else source
        super().__init__(f"{location}: {problem}")
