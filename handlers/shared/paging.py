"""Paging of list routes: the page size every list takes (``?limit=``, 1 to 100, 20 when not given) and the opaque
cursor of the lists that page newest first (the last item's ``created_at`` and id)."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class Cursor:
    """Where a page ends: the last item's sort key (ties on ``created_at`` are broken by the id)."""

    created_at: str
    item_id: str

    def encode(self) -> str:
        raw = json.dumps([self.created_at, self.item_id], separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> Cursor:
        """Raises ValueError (a 422 on the query's ``cursor`` field) for anything this API did not hand out."""
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            created_at, item_id = json.loads(raw)
        except (binascii.Error, ValueError, TypeError):
            raise ValueError("is not a cursor returned by this API") from None
        if not isinstance(created_at, str) or not isinstance(item_id, str):
            raise ValueError("is not a cursor returned by this API")
        return cls(created_at, item_id)
