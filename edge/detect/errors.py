"""Model loading errors: each says which check failed, so an installer knows what to fix."""

from __future__ import annotations

from sharpeyes.errors import SharpEyesError


class ModelError(SharpEyesError):
    """A model cannot be used. ``check`` is one of: manifest, missing_file, checksum, shape, classes."""

    def __init__(self, model: str, check: str, problem: str) -> None:
        self.model = model
        self.check = check
        self.problem = problem
        super().__init__(f"model {model}: {check}: {problem}")
