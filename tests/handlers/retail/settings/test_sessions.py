"""Sessions and preferences in the settings table (moto): TTL stamps, lazy expiry, the 4 KB limit."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from pydantic import ValidationError

from handlers.retail.settings import sessions
from handlers.retail.settings.logic import InvalidSession
from handlers.shared.db import DatabaseUnavailable
from tests.handlers.retail.settings.conftest import START, TABLE, create_settings_table, raw_item


def test_a_session_is_written_with_its_ttl_attribute(table, dynamodb):
    session = sessions.record_session("u-ana", "s-1", 3600, table=table, now=START)
    item = raw_item(dynamodb, "USER#u-ana", "SESSION#s-1")
    assert item is not None
    assert item["expires_at"] == {"N": str(int(START.timestamp()) + 3600)}, "epoch seconds, a number, for TTL"
    assert item["created_at"] == {"S": "2026-03-10T10:00:00.000+00:00"}
    assert session.expires_at == int(START.timestamp()) + 3600
    ttl = dynamodb.describe_time_to_live(TableName=TABLE)["TimeToLiveDescription"]
    assert ttl["AttributeName"] == "expires_at" and ttl["TimeToLiveStatus"] == "ENABLED"


def test_a_session_counts_until_it_expires_even_before_ttl_deletes_it(table):
    sessions.record_session("u-ana", "s-1", 60, table=table, now=START)
    assert sessions.get_session("u-ana", "s-1", table=table, now=START + timedelta(seconds=59)) is not None
    assert sessions.get_session("u-ana", "s-1", table=table, now=START + timedelta(seconds=60)) is None
    assert sessions.get_session("u-ana", "s-other", table=table, now=START) is None
    assert sessions.get_session("u-ben", "s-1", table=table, now=START) is None, "sessions are per user"


def test_recording_a_session_again_renews_it(table):
    sessions.record_session("u-ana", "s-1", 60, table=table, now=START)
    sessions.record_session("u-ana", "s-1", 60, table=table, now=START + timedelta(seconds=50))
    assert sessions.get_session("u-ana", "s-1", table=table, now=START + timedelta(seconds=100)) is not None


@pytest.mark.parametrize(("user_id", "session_id", "ttl"), [
    ("", "s-1", 60), ("u-ana", " ", 60), ("u-ana", "s-1", 0), ("u-ana", "s-1", -5), ("u-ana", "s-1", 1.5),
    ("u-ana", "s-1", True), ("u-ana", "s-1", 366 * 24 * 3600), ("u" * 257, "s-1", 60),
])  # fmt: skip
def test_bad_session_input_is_refused_before_writing(table, dynamodb, user_id, session_id, ttl):
    with pytest.raises(InvalidSession):
        sessions.record_session(user_id, session_id, ttl, table=table, now=START)
    assert dynamodb.scan(TableName=TABLE)["Items"] == []


def test_preferences_round_trip_and_are_replaced_whole(table, dynamodb):
    assert sessions.get_preferences("u-ana", table=table) == {}
    prefs = {"theme": "dark", "page_size": 50, "ratio": 0.5, "tags": ["a", "ñ"], "nested": {"on": True, "x": None}}
    assert sessions.put_preferences("u-ana", prefs, table=table, now=START) == prefs
    assert sessions.get_preferences("u-ana", table=table) == prefs
    assert sessions.put_preferences("u-ana", {"theme": "light"}, table=table) == {"theme": "light"}
    assert sessions.get_preferences("u-ana", table=table) == {"theme": "light"}
    assert sessions.get_preferences("u-ben", table=table) == {}
    item = raw_item(dynamodb, "USER#u-ana", "PREFS")
    assert item is not None and "expires_at" not in item, "preferences do not expire"
    assert json.loads(item["preferences"]["S"]) == {"theme": "light"}


def test_preferences_are_at_most_4_kb_of_json(table):
    overhead = len(json.dumps({"k": ""}, separators=(",", ":")))
    sessions.put_preferences("u-ana", {"k": "x" * (4096 - overhead)}, table=table)
    with pytest.raises(ValidationError, match="4096 bytes"):
        sessions.put_preferences("u-ana", {"k": "x" * (4097 - overhead)}, table=table)
    with pytest.raises(ValidationError, match="4096 bytes"):  # counted in UTF-8 bytes, not characters
        sessions.put_preferences("u-ana", {"k": "ñ" * 2100}, table=table)
    assert len(sessions.get_preferences("u-ana", table=table)["k"]) == 4096 - overhead


@pytest.mark.parametrize("prefs", [["a list"], "text", None, {"k": float("nan")}, {"k": object()}, {1: "x"}])
def test_preferences_must_be_a_json_object(table, prefs):
    with pytest.raises(ValidationError):
        sessions.put_preferences("u-ana", prefs, table=table)


def test_an_unreachable_dynamodb_raises_database_unavailable(unreachable_table):
    with pytest.raises(DatabaseUnavailable):
        sessions.record_session("u-ana", "s-1", 60, table=unreachable_table)
    with pytest.raises(DatabaseUnavailable):
        sessions.get_preferences("u-ana", table=unreachable_table)


def test_the_default_table_comes_from_the_environment(moto, monkeypatch):
    create_settings_table("from-env")
    monkeypatch.setenv("TABLE_SETTINGS", "from-env")
    sessions.default_table.cache_clear()
    try:
        sessions.put_preferences("u-ana", {"theme": "dark"})
        assert sessions.get_preferences("u-ana") == {"theme": "dark"}
        assert sessions.record_session("u-ana", "s-1", 60).expires_at > 0
        assert sessions.get_session("u-ana", "s-1") is not None
    finally:
        sessions.default_table.cache_clear()
