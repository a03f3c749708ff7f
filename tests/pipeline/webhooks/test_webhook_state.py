"""Offsets that may be committed, the replay cache, and the config model."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from pipeline.webhooks.config import WebhooksConfig, resolve_secrets
from pipeline.webhooks.offsets import OffsetTracker
from pipeline.webhooks.replay import ReplayCache
from pipeline.webhooks.routing import routes_for
from pipeline.webhooks.signing import WebhookSecret
from sharpeyes.clock import ManualClock
from sharpeyes.contract import AlertKind, CaseEventType
from sharpeyes.errors import ConfigError
from tests.pipeline.webhooks.webhook_testkit import make_case_event


def test_commit_waits_for_the_first_unfinished_offset() -> None:
    tracker: OffsetTracker[str] = OffsetTracker()
    for offset in (10, 11, 12, 13):
        tracker.started("p0", offset)
    tracker.finished("p0", 12)
    tracker.finished("p0", 11)
    assert tracker.to_commit() == {}
    tracker.finished("p0", 10)
    assert tracker.to_commit() == {"p0": 13}
    tracker.committed({"p0": 13})
    assert tracker.to_commit() == {} and tracker.in_flight == 1


@given(order=st.permutations(list(range(30))), cut=st.integers(0, 30))
def test_committed_offset_never_passes_an_unfinished_record(order: list[int], cut: int) -> None:
    tracker: OffsetTracker[int] = OffsetTracker()
    for offset in range(30):
        tracker.started(0, offset)
    done = set(order[:cut])
    for offset in order[:cut]:
        tracker.finished(0, offset)
    position = tracker.to_commit().get(0, 0)
    assert all(o in done for o in range(position))
    assert position == 30 or position not in done


def test_revoked_partitions_are_forgotten() -> None:
    tracker: OffsetTracker[int] = OffsetTracker()
    tracker.started(1, 5)
    tracker.forget([1])
    tracker.finished(1, 5)  # a late finish from before the rebalance is ignored
    assert tracker.to_commit() == {} and tracker.in_flight == 0


def test_replay_cache_remembers_until_ttl_and_is_bounded() -> None:
    clock = ManualClock(datetime(2026, 1, 1, tzinfo=UTC))
    cache = ReplayCache(timedelta(minutes=10), clock, max_entries=3)
    assert cache.reserve("a") and not cache.reserve("a")
    clock.advance(timedelta(minutes=11))
    assert cache.reserve("a")
    for msg_id in "bcd":
        assert cache.reserve(msg_id)
    assert len(cache) == 3
    cache.release("d")
    assert cache.reserve("d")


def secret() -> str:
    return WebhookSecret.generate().encoded()


def base(**endpoint: object) -> dict[str, object]:
    return {"endpoints": [{"name": "city", "url": "https://cases.example/hook", **endpoint}]}


@pytest.mark.parametrize(
    ("doc", "problem"),
    [
        pytest.param(base(), "secrets or secret_env", id="no-secret"),
        pytest.param(base(secrets=["whsec_!!"]), "base64", id="bad-secret"),
        pytest.param(base(secrets=[secret()], format="xml"), "format", id="bad-format"),
        pytest.param(base(secrets=[secret()], retries=3), "retries", id="unknown-field"),
        pytest.param(base(secrets=[secret()], url="ftp://x"), "url", id="bad-url"),
        pytest.param({"endpoints": []}, "endpoints", id="no-endpoints"),
    ],
)
def test_config_errors_name_the_field(doc: dict[str, object], problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        WebhooksConfig.model_validate(doc)


def test_secrets_never_print_and_resolve_from_the_environment() -> None:
    inline, rotated = secret(), secret()
    config = WebhooksConfig.model_validate(base(secrets=[inline], secret_env=["NEW_SECRET"]))
    assert inline not in repr(config) and inline not in str(config.model_dump())
    resolved = resolve_secrets(config.endpoints[0], {"NEW_SECRET": rotated}, "endpoints[0]")
    assert [s.encoded() for s in resolved] == [inline, rotated]
    with pytest.raises(ConfigError, match="NEW_SECRET is not set"):
        resolve_secrets(config.endpoints[0], {}, "endpoints[0]")


def test_routing_by_event_type_and_kind() -> None:
    s = [secret()]
    config = WebhooksConfig.model_validate(
        {
            "endpoints": [
                {"name": "all", "url": "http://a/", "secrets": s},
                {"name": "opened", "url": "http://b/", "secrets": s, "event_types": ["opened", "closed"]},
                {"name": "fire", "url": "http://c/", "secrets": s, "kinds": ["smoke", "fire_door_open"]},
            ]
        }
    )
    names = lambda e: [x.name for x in routes_for(e, config.endpoints)]  # noqa: E731
    assert names(make_case_event(type=CaseEventType.OPENED)) == ["all", "opened"]
    assert names(make_case_event(type=CaseEventType.ALERT_ATTACHED)) == ["all"]
    assert names(make_case_event(kind=AlertKind.SMOKE, type=CaseEventType.CLOSED)) == [
        "all",
        "opened",
        "fire",
    ]
