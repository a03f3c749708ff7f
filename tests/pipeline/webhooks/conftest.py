"""Fixtures of the webhook tests; the helpers themselves live in ``webhook_testkit``."""

from __future__ import annotations

import pytest

from tests.pipeline.webhooks.webhook_testkit import EventFactory, make_case_event


@pytest.fixture
def case_event() -> EventFactory:
    return make_case_event
