"""A sign-out that holds on every route of the shop: the sessions table, and the router refusing older tokens."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from handlers.shared.db import DatabaseUnavailable
from handlers.shared.sessions import CACHE_SECONDS, KEPT_SECONDS, SIGNED_OUT, RevokedSessions, token_revoked
from tests.events import http_request
from tests.handlers.conftest import fake_aws, sessions_table
from tests.handlers.test_api import demo_router

SIGN_OUT = datetime(2026, 3, 10, 10, 0, 0, 700_000, tzinfo=UTC)
SECOND = int(SIGN_OUT.timestamp())


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def sessions(monkeypatch):
    with fake_aws(monkeypatch):
        yield sessions_table()


def test_tokens_issued_at_or_before_the_sign_out_are_revoked():
    assert token_revoked(SECOND - 60, SECOND) and token_revoked(SECOND, SECOND), "the same second may predate it"
    assert not token_revoked(SECOND + 1, SECOND) and not token_revoked(SECOND - 60, None)


def test_a_sign_out_is_kept_as_long_as_a_token_can_live(sessions):
    sessions.revoke("u-1", SIGN_OUT)
    item = sessions.dynamodb.get_item(TableName=sessions.table_name, Key={"user_id": {"S": "u-1"}})["Item"]
    assert int(item["revoked_at"]["N"]) == SECOND
    assert int(item["expires_at"]["N"]) == SECOND + KEPT_SECONDS


def test_another_function_sees_a_sign_out_within_the_cache_time(sessions):
    clock = Clock()
    elsewhere = RevokedSessions(sessions.table_name, monotonic=clock)
    elsewhere.check("u-1", SECOND - 5)  # read: nobody signed out
    sessions.revoke("u-1", SIGN_OUT)
    elsewhere.check("u-1", SECOND - 5)  # still within the cache time: trusted
    clock.now += CACHE_SECONDS
    with pytest.raises(Exception, match=SIGNED_OUT) as refused:
        elsewhere.check("u-1", SECOND - 5)
    assert refused.value.http_status == 401
    elsewhere.check("u-1", SECOND + 1)  # a token from a later sign-in
    elsewhere.check("u-2", SECOND - 5)  # another user


def test_a_token_that_does_not_say_when_it_was_issued_is_refused(sessions):
    with pytest.raises(Exception, match=SIGNED_OUT):
        sessions.check("u-1", None)


def test_an_unreachable_table_is_a_503_not_a_guess(sessions):
    class Down:
        def get_item(self, **_: object) -> dict:
            raise ConnectionError("unreachable")

    with pytest.raises(DatabaseUnavailable):
        RevokedSessions("t", dynamodb=Down()).check("u-1", SECOND)


def test_every_signed_in_route_refuses_a_token_from_before_the_sign_out(sessions):
    app = demo_router().app(object(), sessions)
    claims = {"sub": "u-1", "email": "ana@example.com", "cognito:groups": "[customers]"}

    def status(route_key: str, iat: int) -> int:
        path = route_key.split(" ", 1)[1].replace("{id}", "t-1")
        event = http_request(route_key, path=path, claims={**claims, "iat": str(iat)}, path_parameters={"id": "t-1"})
        return int(app.resolve(event, None)["statusCode"])

    assert status("GET /things", SECOND - 5) == 200 and status("GET /things/{id}", SECOND - 5) == 404
    sessions.revoke("u-1", SIGN_OUT)
    assert status("GET /things", SECOND - 5) == 401 and status("GET /things/{id}", SECOND - 5) == 401
    assert status("GET /things", SECOND + 1) == 200, "a later sign-in works"
    assert status("GET /health", SECOND - 5) == 200, "a public route asks nothing"
