"""Sign-out that holds on every route of a system, not only on the service that signed the user out.

API Gateway's JWT authorizer checks a token's signature and expiry, never whether its user signed out since. So a
system that declares a ``sessions_table`` (the shop) keeps there, per user, the moment of their last sign-out, and
every signed-in route of every service refuses (401) a token issued at or before it (:meth:`RevokedSessions.check`,
which the router calls). A sign-out holds everywhere within :data:`CACHE_SECONDS`.

A row lives as long as a token can (:data:`KEPT_SECONDS`, Cognito's longest token validity): DynamoDB's TTL then
deletes it, as no token issued before it can still be valid.
"""

from __future__ import annotations

import functools
import logging
import os
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from handlers.shared.aws import client
from handlers.shared.clock import as_utc
from handlers.shared.db import DatabaseUnavailable
from handlers.shared.errors import Unauthorized
from handlers.shared.settings import SettingsError

log = logging.getLogger(__name__)

KEPT_SECONDS = 24 * 3600
"""Cognito's longest validity of an id or access token: a revocation older than this refuses nothing more."""
CACHE_SECONDS = 2.0
"""How long a function trusts what it read of a user's sign-out: the time a sign-out takes to hold everywhere."""

SIGNED_OUT = "this session was signed out: sign in again"


class SessionRevoked(Unauthorized):
    def __init__(self) -> None:
        super().__init__(SIGNED_OUT)


def token_revoked(issued_at: int, revoked_at: float | None) -> bool:
    """A token issued (``iat``, whole seconds) at or before the last sign-out is revoked. ``iat`` is truncated, so a
    token issued in the same second as the sign-out counts as earlier: refusing a fresh sign-in for under a second is
    the price of never accepting a revoked token."""
    return revoked_at is not None and issued_at <= revoked_at


class RevokedSessions:
    """Each user's last sign-out in one DynamoDB table (partition key ``user_id``, TTL attribute ``expires_at``)."""

    def __init__(self, table_name: str, dynamodb: Any | None = None,
                 monotonic: Callable[[], float] = time.monotonic) -> None:  # fmt: skip
        self.table_name = table_name
        self._dynamodb = dynamodb
        self._monotonic = monotonic
        self._cache: dict[str, tuple[float, float | None]] = {}

    @property
    def dynamodb(self) -> Any:
        return self._dynamodb or client("dynamodb")

    def revoke(self, user_id: str, at: datetime) -> None:
        """Record a sign-out: every token of ``user_id`` issued at or before ``at`` is refused from now on."""
        moment = as_utc(at).timestamp()
        item = {"user_id": {"S": user_id}, "revoked_at": {"N": str(int(moment))},
                "expires_at": {"N": str(int(moment) + KEPT_SECONDS)}}  # fmt: skip
        self.dynamodb.put_item(TableName=self.table_name, Item=item)
        self._cache[user_id] = (self._monotonic(), float(int(moment)))

    def revoked_at(self, user_id: str) -> float | None:
        """The user's last sign-out (epoch seconds), read at most every :data:`CACHE_SECONDS`."""
        now = self._monotonic()
        cached = self._cache.get(user_id)
        if cached is not None and now - cached[0] < CACHE_SECONDS:
            return cached[1]
        try:
            item = self.dynamodb.get_item(TableName=self.table_name, Key={"user_id": {"S": user_id}}).get("Item")
        except Exception as e:  # DynamoDB unreachable: refuse to guess, as for a database that is down
            log.error("the sessions table cannot be read: %s", e)
            raise DatabaseUnavailable("the sessions table cannot be read") from None
        revoked = float(item["revoked_at"]["N"]) if item else None
        self._cache[user_id] = (now, revoked)
        return revoked

    def check(self, user_id: str, issued_at: int | None) -> None:
        """Refuse (401) a token issued at or before the user's last sign-out, or one that does not say when."""
        if issued_at is None:
            raise SessionRevoked
        if token_revoked(issued_at, self.revoked_at(user_id)):
            raise SessionRevoked


@functools.cache
def from_env(table: str) -> RevokedSessions:
    """The sessions table of this function's system, named by ``TABLE_<NAME>`` (one per warm container)."""
    variable = f"TABLE_{table.upper().replace('-', '_')}"
    name = os.environ.get(variable)
    if not name:
        raise SettingsError(f"environment: {variable} is required (the system's sessions table)")
    return RevokedSessions(name)
