"""Recognising an event a consumer has already handled (the ``processed_events`` table).

Kept apart from ``consumer.py`` so that code which only records claims (stores used by API functions too) does not
import the SQS batch utility at cold start.
"""

from __future__ import annotations

from datetime import UTC, datetime

from handlers.shared.db import IntegrityConflict, Transaction


def claim(tx: Transaction, consumer: str, event_id: str) -> bool:
    """Record that ``consumer`` handles ``event_id`` in this transaction; False if it already did."""
    try:
        tx.execute(
            "INSERT INTO processed_events (consumer, event_id, processed_at) VALUES (:consumer, :event_id, :at)",
            {"consumer": consumer, "event_id": event_id, "at": datetime.now(UTC).isoformat(timespec="seconds")},
        )
    except IntegrityConflict:
        return False
    return True
