"""The settings service's domain: the store settings, their defaults, and users' sessions and preferences. No boto3.

The store settings are one record (see the settings contract in ``store.py`` for how it is kept in DynamoDB):

- ``store_name``: 1..100 characters, surrounding spaces removed;
- ``currency``: an ISO 4217 code, three upper-case letters (``"usd"`` is refused, not guessed);
- ``tax_rate``: a ``Decimal`` from 0 to 1 with at most 4 decimals, shown as a string with at least two decimals
  (``"0.18"``, ``"0.0825"``, ``"0.00"``); a JSON number is read through its shortest text (``0.18`` is 0.18);
- ``low_stock_threshold``: an integer 0..100000.

When nothing has been saved yet, :data:`DEFAULT_SETTINGS` apply; their tax rate and threshold are the ones that the
services reading the settings (catalog, sales) fall back on too (``handlers/retail/store_settings.py``). A saved
record also carries ``updated_at`` (ISO 8601 UTC, to the millisecond, always in the same format so that it sorts as
text) and ``updated_by`` (the user id of the admin who saved it, the token's ``sub``).

Sessions expire: a session carries ``expires_at`` in epoch seconds, which DynamoDB's TTL uses to delete it. TTL
deletion is lazy (it may take a day or two), so a reader must also treat an expired session as gone
(:func:`is_live`). Preferences are a small JSON object (at most 4 KB as compact UTF-8 JSON) per user, kept until
changed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, JsonValue, field_validator
from typing_extensions import TypedDict  # pydantic documents TypedDicts from here on Python < 3.12

from handlers.retail.store_settings import DEFAULT_LOW_STOCK_THRESHOLD, DEFAULT_TAX_RATE, MAX_LOW_STOCK_THRESHOLD
from handlers.retail.store_settings import SETTINGS_PK as SETTINGS_PK
from handlers.retail.store_settings import STORE_SK as STORE_SK
from handlers.shared.clock import timestamp_ms
from handlers.shared.errors import BadRequest, Conflict
from handlers.shared.money import no_float_noise
from handlers.shared.views import IsoTimestamp

# --- keys of the settings table (the store settings' key is shared with their readers: ``store_settings.py``) -----

PREFS_SK = "PREFS"
SESSION_PREFIX = "SESSION#"


def user_pk(user_id: str) -> str:
    return f"USER#{user_id}"


def session_sk(session_id: str) -> str:
    return f"{SESSION_PREFIX}{session_id}"


# --- time --------------------------------------------------------------------------------------------------------


def epoch_seconds(moment: datetime) -> int:
    return int(moment.timestamp())


# --- errors ------------------------------------------------------------------------------------------------------


class StaleSettingsWrite(Conflict):
    """A write stamped earlier than the saved settings arrived after them: the newer settings stay."""

    def __init__(self) -> None:
        super().__init__("the settings were changed by a later request; read them again and retry")


class InvalidSession(BadRequest):
    pass


# --- store settings ----------------------------------------------------------------------------------------------


TaxRate = Annotated[Decimal, Field(ge=0, le=1, decimal_places=4)]


class StoreSettingsFields(BaseModel):
    """The body of ``PUT /settings``: every field is required. Unknown fields (such as ``updated_at`` from a GET
    sent back as is) are ignored: the server stamps the write itself."""

    model_config = ConfigDict(frozen=True, str_strip_whitespace=True)

    store_name: str = Field(min_length=1, max_length=100)
    currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217, three upper-case letters")
    tax_rate: TaxRate
    low_stock_threshold: int = Field(ge=0, le=MAX_LOW_STOCK_THRESHOLD, strict=True)

    @field_validator("tax_rate", mode="before")
    @classmethod
    def _rate(cls, value: Any) -> Any:
        return no_float_noise(value)


class StoreSettings(StoreSettingsFields):
    """The settings in force: saved ones (stamped) or the defaults (``updated_at``/``updated_by`` None)."""

    updated_at: str | None = None
    updated_by: str | None = None


DEFAULT_SETTINGS = StoreSettings(store_name="Store", currency="USD", tax_rate=DEFAULT_TAX_RATE,
                                 low_stock_threshold=DEFAULT_LOW_STOCK_THRESHOLD)  # fmt: skip


def stamped(fields: StoreSettingsFields, user_id: str, now: datetime) -> StoreSettings:
    """The settings to save: the fields, with who saved them and when."""
    return StoreSettings(**fields.model_dump(), updated_at=timestamp_ms(now), updated_by=user_id)


def settings_or_defaults(saved: dict[str, Any] | None) -> StoreSettings:
    """The saved settings (plain values read from the table) or the defaults when nothing was saved."""
    if saved is None:
        return DEFAULT_SETTINGS
    return StoreSettings.model_validate(
        {**saved, "low_stock_threshold": int(saved["low_stock_threshold"])}  # the table returns numbers as text
    )


def rate_text(rate: Decimal) -> str:
    """At least two decimals, at most four, never an exponent: 0.18 → "0.18", 0.0825 → "0.0825", 0 → "0.00"."""
    exponent = rate.normalize().as_tuple().exponent
    places = max(2, -exponent) if isinstance(exponent, int) else 2
    return f"{rate:.{places}f}"


class SettingsView(TypedDict):
    """The store's settings; ``updated_at`` and ``updated_by`` are null until an admin saves them."""

    store_name: str
    currency: str
    tax_rate: str
    """A decimal from 0 to 1 with two to four places, such as "0.18"."""
    low_stock_threshold: int
    updated_at: IsoTimestamp | None
    updated_by: str | None


def settings_view(settings: StoreSettings) -> SettingsView:
    """The settings as the API shows them (the tax rate as a string)."""
    return {
        "store_name": settings.store_name,
        "currency": settings.currency,
        "tax_rate": rate_text(settings.tax_rate),
        "low_stock_threshold": settings.low_stock_threshold,
        "updated_at": settings.updated_at,
        "updated_by": settings.updated_by,
    }


# --- sessions and preferences ------------------------------------------------------------------------------------

MAX_SESSION_TTL = 365 * 24 * 3600
MAX_PREFERENCES_BYTES = 4096
MAX_ID_LENGTH = 256


def check_id(what: str, value: str) -> str:
    """A user or session id: a non-empty string of at most 256 characters (else ``InvalidSession``)."""
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_ID_LENGTH:
        raise InvalidSession(f"{what} must be a non-empty string of at most {MAX_ID_LENGTH} characters")
    return value


@dataclass(frozen=True)
class Session:
    user_id: str
    session_id: str
    created_at: str
    expires_at: int
    """Epoch seconds; DynamoDB's TTL deletes the item some time after this moment."""


def new_session(user_id: str, session_id: str, ttl_seconds: int, now: datetime) -> Session:
    """A session of ``user_id`` that lasts ``ttl_seconds`` (1 second to 365 days) from ``now``."""
    check_id("user_id", user_id)
    check_id("session_id", session_id)
    if isinstance(ttl_seconds, bool) or not isinstance(ttl_seconds, int) or not 1 <= ttl_seconds <= MAX_SESSION_TTL:
        raise InvalidSession(f"ttl_seconds must be an integer from 1 to {MAX_SESSION_TTL}")
    return Session(user_id, session_id, timestamp_ms(now), epoch_seconds(now) + ttl_seconds)


def is_live(session: Session, now: datetime) -> bool:
    """Whether the session still counts: TTL deletion lags, so an expired item may still be in the table."""
    return session.expires_at > epoch_seconds(now)


class Preferences(BaseModel):
    """A user's preferences: a JSON object of at most 4 KB (compact UTF-8 JSON). Invalid input raises pydantic's
    ``ValidationError`` (a 422 with field errors if a route ever takes it as a body)."""

    model_config = ConfigDict(frozen=True)

    preferences: dict[str, JsonValue]

    @field_validator("preferences")
    @classmethod
    def _small(cls, value: dict[str, JsonValue]) -> dict[str, JsonValue]:
        if len(preferences_json(value).encode()) > MAX_PREFERENCES_BYTES:
            raise ValueError(f"must be at most {MAX_PREFERENCES_BYTES} bytes as JSON")
        return value


def preferences_json(preferences: dict[str, Any]) -> str:
    """The stored form: compact JSON, keys sorted, non-ASCII kept (its UTF-8 size is what the limit counts)."""
    return json.dumps(preferences, separators=(",", ":"), sort_keys=True, ensure_ascii=False, allow_nan=False)
