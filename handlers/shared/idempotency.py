"""``Idempotency-Key`` on the write routes that opt in (``idempotent=True`` where the route is bound; every create
route does): the same key and body twice give one record and the first response again; the same key with another
body is a 422.

A key belongs to its caller (``owner_id``): two callers may use the same key. What "the same body" means is the
validated request, whatever its JSON layout (:func:`fingerprint`). Records live in the service's
``idempotent_requests`` table (a shared migration), in two steps that need nothing from the use case:

1. The key is claimed (:func:`claim_key`) in the transaction of the request's first write, so it commits with what
   the request creates, or not at all. Of two concurrent requests with one key, the second fails on the primary key.
2. Once the route has its answer, the router keeps it with the key (:func:`keep_response`). A repeat is answered
   from it; a repeat that comes between the two steps (or after a first request that never got its answer stored)
   is a 409 that says to retry shortly.
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
    response: dict[str, Any] | None
    """None between the claim and the kept answer."""


class RequestInProgress(DomainError):
    """The first request with this key has made its change but its answer is not kept yet: a 409, retry shortly."""

    http_status: ClassVar[int] = 409

    def __init__(self) -> None:
        super().__init__(f"{HEADER}: a request with this key is still being answered; retry in a moment")


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
    if record.response is None:
        raise RequestInProgress
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
    response = json.loads(row["response"]) if row["response"] else None
    return Record(row["owner_id"], row["idem_key"], row["request_hash"], row["resource_id"], response)


def claim_key(tx: Transaction, claim: Claim, now: datetime) -> None:
    """Claim the key in the transaction of the request's write, its answer still to come. A concurrent request that
    claimed the same key first makes the insert fail: this transaction rolls back (IntegrityConflict), and the router
    answers with the first request's response."""
    tx.execute(
        "INSERT INTO idempotent_requests (owner_id, idem_key, request_hash, resource_id, response, created_at) "
        "VALUES (:owner, :key, :hash, '', '', :at)",
        {"owner": claim.owner_id, "key": claim.key, "hash": claim.fingerprint, "at": timestamp_us(now)},
    )


def keep_response(tx: Transaction, claim: Claim, response: Mapping[str, Any]) -> None:
    """Keep the answer to a claimed key (nothing happens when the request made no write, so claimed nothing)."""
    tx.execute(
        "UPDATE idempotent_requests SET response = :response, resource_id = :resource "
        "WHERE owner_id = :owner AND idem_key = :key AND response = ''",
        {"response": json.dumps(dict(response)), "resource": str(response.get("id", ""))[:64],
         "owner": claim.owner_id, "key": claim.key},
    )  # fmt: skip
