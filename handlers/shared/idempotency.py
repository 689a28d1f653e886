"""``Idempotency-Key`` on the write routes that opt in (``idempotent=True`` where the route is bound): the same key
and body twice give one record and the first response again; the same key with another body is a 422.

A key belongs to its caller (``owner_id``): two callers may use the same key. What "the same body" means is the
validated request, whatever its JSON layout (:func:`fingerprint`). Records live in the service's
``idempotent_requests`` table (a shared migration), written in the same transaction as what the request creates
(:meth:`handlers.shared.usecases.Write.respond`); the router answers a repeat from them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from pydantic import BaseModel

from handlers.shared.clock import timestamp_us
from handlers.shared.db import Transaction
from handlers.shared.errors import DomainError

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 100


class IdempotencyRefused(DomainError):
    """A key that is too long or empty, or reused with another body: a 422 naming the header."""

    http_status: ClassVar[int] = 422


@dataclass(frozen=True)
class Record:
    """The first response to an owner's key, kept with the record it created so a retry gets it again."""

    owner_id: str
    key: str
    fingerprint: str
    resource_id: str
    response: dict[str, Any]


class KeyTaken(Exception):
    """Another request stored the same key first (its record is attached)."""

    def __init__(self, record: Record) -> None:
        super().__init__(f"idempotency key {record.key} is taken")
        self.record = record


def key_from(headers: Mapping[str, str] | None) -> str | None:
    """The request's key: absent, or 1..100 characters (header names in any case, as HTTP allows)."""
    value = next((v for k, v in (headers or {}).items() if k.lower() == HEADER.lower()), None)
    if value is None:
        return None
    if not 1 <= len(value) <= MAX_KEY_LENGTH:
        raise IdempotencyRefused(f"{HEADER}: must be 1 to {MAX_KEY_LENGTH} characters")
    return value


def fingerprint(request: BaseModel) -> str:
    """What makes two requests "the same body": the validated content, whatever the JSON layout."""
    canonical = json.dumps(request.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def replay(record: Record, request_fingerprint: str) -> dict[str, Any]:
    """The stored response for a repeated request; a different body under the same key is a 422."""
    if record.fingerprint != request_fingerprint:
        raise IdempotencyRefused(f"{HEADER}: this key was already used with a different request body")
    return record.response


@dataclass(frozen=True)
class Claim:
    """A request that carries a key: who sent it, the key, and its body's fingerprint."""

    owner_id: str
    key: str
    fingerprint: str


def find(tx: Transaction, owner_id: str, key: str) -> Record | None:
    row = tx.query_one(
        "SELECT owner_id, idem_key, request_hash, resource_id, response FROM idempotent_requests "
        "WHERE owner_id = :owner AND idem_key = :key",
        {"owner": owner_id, "key": key},
    )
    if row is None:
        return None
    return Record(
        row["owner_id"], row["idem_key"], row["request_hash"], row["resource_id"], json.loads(row["response"])
    )


def store(tx: Transaction, claim: Claim, resource_id: str, response: dict[str, Any], now: datetime) -> None:
    """Keep the first response to ``claim`` in the transaction that created ``resource_id``. A concurrent request
    that stored the same key first makes the insert fail: the caller's transaction rolls back (IntegrityConflict),
    and the router answers with that request's response."""
    tx.execute(
        "INSERT INTO idempotent_requests (owner_id, idem_key, request_hash, resource_id, response, created_at) "
        "VALUES (:owner, :key, :hash, :resource, :response, :at)",
        {"owner": claim.owner_id, "key": claim.key, "hash": claim.fingerprint, "resource": resource_id,
         "response": json.dumps(response), "at": timestamp_us(now)},
    )  # fmt: skip
