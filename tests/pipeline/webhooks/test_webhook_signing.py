"""Our Standard Webhooks signing against the reference ``standardwebhooks`` library, both ways."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import standardwebhooks
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.webhooks.errors import BadSignature, MissingHeaders, SecretFormatError, StaleTimestamp
from pipeline.webhooks.signing import SECRET_PREFIX, Verifier, WebhookSecret, sign_headers
from sharpeyes.clock import ManualClock


def _now() -> datetime:
    """Read per test: a module-level 'now' goes stale (>5 min) in a long suite and the library refuses it."""
    return datetime.now(UTC).replace(microsecond=0)


NOW = _now()  # only for checks against our own Verifier on a ManualClock set to the same instant


def _ts(when: datetime | None = None) -> int:
    return int((when or _now()).timestamp())


def test_receiver_using_the_reference_library_accepts_our_signature() -> None:
    secret = WebhookSecret.generate()
    body = json.dumps({"case": {"id": "case-1", "title": {"zh": "楼道堆物"}}}, ensure_ascii=False).encode()
    headers = sign_headers([secret], "evt-1", _ts(), body)
    receiver = standardwebhooks.Webhook(secret.encoded())
    assert receiver.verify(body, headers) == {"case": {"id": "case-1", "title": {"zh": "楼道堆物"}}}


def test_reference_library_rejects_a_tampered_body() -> None:
    secret = WebhookSecret.generate()
    headers = sign_headers([secret], "evt-1", _ts(), b'{"a":1}')
    with pytest.raises(standardwebhooks.webhooks.WebhookVerificationError):
        standardwebhooks.Webhook(secret.encoded()).verify(b'{"a":2}', headers)


def test_during_rotation_a_receiver_with_either_secret_accepts() -> None:
    old, new = WebhookSecret.generate(), WebhookSecret.generate()
    body = b'{"x":true}'
    headers = sign_headers([old, new], "evt-9", _ts(), body)
    assert len(headers["webhook-signature"].split(" ")) == 2
    for secret in (old, new):
        standardwebhooks.Webhook(secret.encoded()).verify(body, headers)
    with pytest.raises(standardwebhooks.webhooks.WebhookVerificationError):
        standardwebhooks.Webhook(WebhookSecret.generate().encoded()).verify(body, headers)


@settings(max_examples=50, deadline=None)
@given(
    key=st.binary(min_size=16, max_size=64),
    msg_id=st.from_regex(r"[A-Za-z0-9_.:\-]{1,60}", fullmatch=True),
    body=st.text(max_size=300),
)
def test_our_verifier_accepts_what_the_reference_library_signs(key: bytes, msg_id: str, body: str) -> None:
    reference = standardwebhooks.Webhook(key)
    signature = reference.sign(msg_id, NOW, body)
    headers = {"webhook-id": msg_id, "webhook-timestamp": str(_ts(NOW)), "webhook-signature": signature}
    verified = Verifier([WebhookSecret(key)], clock=ManualClock(NOW)).verify(headers, body.encode())
    assert verified.msg_id == msg_id
    assert (
        sign_headers([WebhookSecret(key)], msg_id, _ts(NOW), body.encode())["webhook-signature"] == signature
    )


def test_secret_text_round_trips_and_the_reference_library_reads_it() -> None:
    secret = WebhookSecret.generate()
    text = secret.encoded()
    assert text.startswith(SECRET_PREFIX)
    assert WebhookSecret.parse(text) == secret
    assert WebhookSecret.parse(text.removeprefix(SECRET_PREFIX)) == secret
    assert text not in repr(secret)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("whsec_not base64!", id="not-base64"),
        pytest.param("whsec_c2hvcnQ=", id="too-short"),
        pytest.param("", id="empty"),
    ],
)
def test_bad_secret_text_is_refused(text: str) -> None:
    with pytest.raises(SecretFormatError):
        WebhookSecret.parse(text)


def _headers(secret: WebhookSecret, body: bytes, when: datetime = NOW, msg_id: str = "m1") -> dict[str, str]:
    return sign_headers([secret], msg_id, _ts(when), body)


@pytest.mark.parametrize(
    ("mutate", "error"),
    [
        pytest.param(lambda h: {k: v for k, v in h.items() if k != "webhook-id"}, MissingHeaders, id="no-id"),
        pytest.param(lambda h: {**h, "webhook-signature": "v1,AAAA"}, BadSignature, id="wrong-signature"),
        pytest.param(lambda h: {**h, "webhook-signature": "v2,xyz"}, BadSignature, id="only-unknown-version"),
        pytest.param(lambda h: {**h, "webhook-id": "m2"}, BadSignature, id="id-swapped"),
        pytest.param(lambda h: {**h, "webhook-timestamp": "12x"}, StaleTimestamp, id="timestamp-not-int"),
        pytest.param(lambda h: {**h, "webhook-timestamp": "999999999999"}, StaleTimestamp, id="year-33658"),
        pytest.param(lambda h: {**h, "webhook-signature": "v1,不是"}, BadSignature, id="non-ascii-signature"),
    ],
)
def test_verifier_rejects(mutate: object, error: type[Exception]) -> None:
    secret = WebhookSecret.generate()
    body = b'{"status":"dispatched"}'
    headers = mutate(_headers(secret, body))  # type: ignore[operator]
    with pytest.raises(error):
        Verifier([secret], clock=ManualClock(NOW)).verify(headers, body)


@pytest.mark.parametrize(
    ("skew", "ok"),
    [
        pytest.param(timedelta(minutes=4, seconds=59), True, id="old-within-tolerance"),
        pytest.param(timedelta(minutes=5, seconds=1), False, id="too-old"),
        pytest.param(-timedelta(minutes=5, seconds=1), False, id="too-new"),
    ],
)
def test_timestamp_tolerance_is_five_minutes_either_way(skew: timedelta, ok: bool) -> None:
    secret = WebhookSecret.generate()
    body = b"{}"
    verifier = Verifier([secret], clock=ManualClock(NOW))
    headers = _headers(secret, body, when=NOW - skew)
    if ok:
        assert verifier.verify(headers, body).msg_id == "m1"
    else:
        with pytest.raises(StaleTimestamp):
            verifier.verify(headers, body)


def test_verifier_with_two_secrets_accepts_messages_signed_with_either() -> None:
    old, new = WebhookSecret.generate(), WebhookSecret.generate()
    verifier = Verifier([new, old], clock=ManualClock(NOW))
    for secret in (old, new):
        verifier.verify({k.upper(): v for k, v in _headers(secret, b"[]").items()}, b"[]")
