"""``Idempotency-Key`` on create routes (a sale, an order): the same key and body twice give one record and the first
response again; the same key with another body is a 422.

A key belongs to its caller (``owner_id``): two callers may use the same key. What "the same body" means is the
validated request, whatever its JSON layout (:func:`fingerprint`). Each service keeps its records in its own table,
written in the same transaction as what the request creates.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import BaseModel

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
