"""Helpers for the retail catalog and sales tests: settings from the declaration, callers with JWT claims as the
retail gateway passes them, a recording EventBridge client, a ticking clock and a canonical-event caller."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from handlers.shared.db import Database
from handlers.shared.settings import ServiceSettings
from tests.events import http_request

START = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)

ADMIN = {"sub": "u-admin", "email": "admin@example.com", "cognito:groups": "[admins]"}
SELLER = {"sub": "u-sam", "email": "sam@example.com", "cognito:groups": "[sellers]"}
SELLER_2 = {"sub": "u-sue", "email": "sue@example.com", "cognito:groups": "[sellers]"}
WAREHOUSE = {"sub": "u-wes", "email": "wes@example.com", "cognito:groups": "[warehouse]"}


def settings(service_name: str) -> ServiceSettings:
    return ServiceSettings.from_env({"SYSTEM_NAME": "retail", "SERVICE_NAME": service_name})


class Clock:
    """Starts at a fixed moment and moves one second on each reading."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        moment, self.now = self.now, self.now + timedelta(seconds=1)
        return moment


@dataclass
class RecordingEvents:
    """An EventBridge client that accepts every entry and keeps it."""

    entries: list[dict[str, Any]] = field(default_factory=list)

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:  # noqa: N803 (boto3's argument name)
        self.entries.extend(Entries)
        return {"FailedEntryCount": 0, "Entries": [{"EventId": f"eb-{i}"} for i, _ in enumerate(Entries)]}

    def sent(self, detail_type: str) -> list[dict[str, Any]]:
        return [json.loads(e["Detail"]) for e in self.entries if e["DetailType"] == detail_type]


Call = Callable[..., tuple[int, Any]]


def call_app(app: Any, route_key: str, who: dict[str, str] | None = None, *, id: str | None = None,  # noqa: A002
             body: Any = None, query: dict[str, str] | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, Any]:  # fmt: skip
    """Send a canonical API Gateway event; the status and decoded body."""
    path = route_key.split(" ", 1)[1]
    params = None
    if id is not None:
        path, params = path.replace("{id}", id), {"id": id}
    event = http_request(route_key, path=path, body=body, query=query, path_parameters=params, claims=who,
                         headers=headers)  # fmt: skip
    response = app.resolve(event, None)
    return response["statusCode"], json.loads(response["body"]) if response.get("body") else None


def outbox_of(db: Database, detail_type: str) -> list[dict[str, Any]]:
    with db.transaction() as tx:
        rows = tx.query("SELECT detail FROM outbox WHERE detail_type = :t ORDER BY created_at", {"t": detail_type})
    return [json.loads(r["detail"]) for r in rows]
