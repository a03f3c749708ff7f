from __future__ import annotations

from pathlib import Path

import pytest

from sharpeyes.contract.schemas import MODELS, SCHEMA_DIR, render


@pytest.mark.parametrize("name", sorted(MODELS))
def test_checked_in_schema_matches_the_model(name: str) -> None:
    path: Path = SCHEMA_DIR / name
    assert path.exists(), f"{path} missing: run `sharpeyes schemas`"
    assert path.read_text(encoding="utf-8") == render(MODELS[name]), (
        f"{name} drifted from the model: run `sharpeyes schemas` and commit the result"
    )
