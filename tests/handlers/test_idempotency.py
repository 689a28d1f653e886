"""The ``Idempotency-Key`` rules every create route shares (sales, orders): the key, the body's fingerprint, replays."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from handlers.shared import idempotency
from handlers.shared.idempotency import IdempotencyRefused, Record


class Body(BaseModel):
    items: list[str]
    note: str = ""


def test_the_key_is_absent_or_1_to_100_characters_under_any_header_case():
    assert idempotency.key_from(None) is None and idempotency.key_from({"accept": "x"}) is None
    assert idempotency.key_from({"idempotency-key": "k" * 100}) == "k" * 100
    assert idempotency.key_from({"Idempotency-Key": "abc"}) == "abc"
    for bad in ("", "k" * 101):
        with pytest.raises(IdempotencyRefused, match="Idempotency-Key: must be 1 to 100 characters"):
            idempotency.key_from({"idempotency-key": bad})


def test_the_fingerprint_ignores_layout_but_not_content():
    a = Body.model_validate({"items": ["p"], "note": "n"})
    b = Body.model_validate({"note": "n", "items": ["p"]})
    c = Body.model_validate({"items": ["p", "q"], "note": "n"})
    assert idempotency.fingerprint(a) == idempotency.fingerprint(b) != idempotency.fingerprint(c)


def test_a_replay_gives_the_first_response_and_another_body_is_a_422_naming_the_header():
    record = Record("owner", "k", "hash-1", "r1", {"id": "r1"})
    assert idempotency.replay(record, "hash-1") == {"id": "r1"}
    with pytest.raises(IdempotencyRefused, match="Idempotency-Key: this key was already used") as refused:
        idempotency.replay(record, "hash-2")
    assert refused.value.http_status == 422
