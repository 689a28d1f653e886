"""The settings service's domain: the store settings, their defaults, and users' sessions and preferences. No boto3.

The store settings are one record (see the settings contract in ``store.py`` for how it is kept in DynamoDB):

- ``store_name``: 1..100 characters, surrounding spaces removed;
- ``currency``: an ISO 4217 code, three upper-case letters (``"usd"`` is refused, not guessed);
- ``tax_rate``: a ``Decimal`` from 0 to 1 with at most 4 decimals, shown as a string with at least two decimals
  (``"0.18"``, ``"0.0825"``, ``"0.00"``); a JSON number is read through its shortest text (``0.18`` is 0.18);
- ``low_stock_threshold``: an integer 0..100000;
- ``ruc`` (a Peruvian tax id, SUNAT's check digit verified) and ``address`` (1..200 characters), both optional;
- ``language`` (``es-PE`` or ``en``) and ``time_zone`` (an IANA zone).

When nothing has been saved yet, the store's defaults apply (:func:`default_settings`: the stack's ``store`` config,
which the services reading the settings fall back on too, ``handlers/retail/store_settings.py``). A saved
record also carries ``updated_at`` (ISO 8601 UTC, to the millisecond, always in the same format so that it sorts as
text) and ``updated_by`` (the user id of the admin who saved it, the token's ``sub``).

Sessions expire: a session carries ``expires_at`` in epoch seconds, which DynamoDB's TTL uses to delete it. TTL
deletion is lazy (it may take a day or two), so a reader must also treat an expired session as gone
(:func:`is_live`). Preferences are a small JSON object (at most 4 KB as compact UTF-8 JSON) per user, kept until
changed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, JsonValue, field_validator
from pydantic_core import PydanticCustomError
from typing_extensions import TypedDict  # pydantic documents TypedDicts from here on Python < 3.12

from handlers.retail.store_settings import (
    DEFAULT_LOW_STOCK_THRESHOLD,
    LANGUAGES,
    Currency,
    Language,
    LowStockThreshold,
    StoreDefaults,
    StoreName,
    TaxRate,
    TimeZone,
)
from handlers.retail.store_settings import SETTINGS_PK as SETTINGS_PK
from handlers.retail.store_settings import STORE_SK as STORE_SK
from handlers.shared.clock import timestamp_ms
from handlers.shared.errors import BadRequest, Conflict
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

RUC_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
RUC_PREFIXES = ("10", "15", "16", "17", "20")


def _a_ruc(ruc: str) -> str:
    """A Peruvian RUC: 11 digits, a taxpayer-type prefix (10, 15, 16, 17 or 20) and SUNAT's check digit (modulo 11
    over the first ten digits with the weights 5432765432)."""
    if not re.fullmatch(r"\d{11}", ruc) or ruc[:2] not in RUC_PREFIXES:
        raise PydanticCustomError("invalid_ruc", "must be an 11-digit RUC starting with 10, 15, 16, 17 or 20")
    check = 11 - sum(int(d) * w for d, w in zip(ruc, RUC_WEIGHTS, strict=False)) % 11
    if check % 10 != int(ruc[10]):  # 10 → 0, 11 → 1
        raise PydanticCustomError("invalid_ruc", "its check digit is wrong: check the number")
    return ruc


Ruc = Annotated[str, AfterValidator(_a_ruc), Field(description="The store's Peruvian tax id (RUC), 11 digits")]
Address = Annotated[str, Field(min_length=1, max_length=200)]
OPTIONAL_FIELDS = ("ruc", "address", "language", "time_zone")
CLEARABLE_FIELDS = ("ruc", "address")


class StoreSettingsFields(BaseModel):
    """The body of ``PUT /settings``: the name, currency, tax rate and threshold are required. Of the others, one left
    out keeps its value; ``ruc`` or ``address`` null clears it. Unknown fields (such as ``updated_at`` from a GET sent
    back as is) are ignored: the server stamps the write itself."""

    model_config = ConfigDict(frozen=True, str_strip_whitespace=True)

    store_name: StoreName
    currency: Currency
    tax_rate: TaxRate
    low_stock_threshold: LowStockThreshold = Field(strict=True)
    ruc: Ruc | None = None
    address: Address | None = None
    language: Language | None = None
    """The language of the messages the system sends, and of the web app for users who chose none."""
    time_zone: TimeZone | None = None
    """The store's days (its reports) follow it."""


class StoreSettings(BaseModel):
    """The settings in force: saved ones (stamped) or the defaults (``updated_at``/``updated_by`` None)."""

    model_config = ConfigDict(frozen=True)

    store_name: StoreName
    currency: Currency
    tax_rate: TaxRate
    low_stock_threshold: LowStockThreshold
    ruc: str | None = None
    address: str | None = None
    language: Language
    time_zone: str
    updated_at: str | None = None
    updated_by: str | None = None


def default_settings(defaults: StoreDefaults) -> StoreSettings:
    """The settings before an admin saves any: the stack's store defaults."""
    return StoreSettings(store_name=defaults.name, currency=defaults.currency, tax_rate=defaults.tax_rate,
                         low_stock_threshold=DEFAULT_LOW_STOCK_THRESHOLD, language=defaults.language,
                         time_zone=defaults.time_zone)  # fmt: skip


def stamped(fields: StoreSettingsFields, current: StoreSettings, user_id: str, now: datetime) -> StoreSettings:
    """The settings to save: the fields (those left out keep their ``current`` value), with who saved them and when."""
    values = fields.model_dump()
    for name in OPTIONAL_FIELDS:
        left_out = name not in fields.model_fields_set
        if left_out or (values[name] is None and name not in CLEARABLE_FIELDS):
            values[name] = getattr(current, name)
    return StoreSettings(**values, updated_at=timestamp_ms(now), updated_by=user_id)


def settings_or_defaults(saved: dict[str, Any] | None, defaults: StoreDefaults) -> StoreSettings:
    """The saved settings (plain values read from the table; one saved before a field existed has its default), or
    the defaults when nothing was saved."""
    fallback = default_settings(defaults)
    if saved is None:
        return fallback
    return StoreSettings.model_validate({**fallback.model_dump(), **saved})


def rate_text(rate: Decimal) -> str:
    """At least two decimals, at most four, never an exponent: 0.18 → "0.18", 0.0825 → "0.0825", 0 → "0.00"."""
    exponent = rate.normalize().as_tuple().exponent
    places = max(2, -exponent) if isinstance(exponent, int) else 2
    return f"{rate:.{places}f}"


class SettingsView(TypedDict):
    """The store's settings; ``configured`` is false, and ``updated_at`` and ``updated_by`` null, until an admin saves
    them (the web app then shows its first-run setup)."""

    store_name: str
    ruc: str | None
    address: str | None
    currency: str
    tax_rate: str
    """A decimal from 0 to 1 with two to four places, such as "0.18"."""
    low_stock_threshold: int
    language: Language
    time_zone: str
    configured: bool
    updated_at: IsoTimestamp | None
    updated_by: str | None


def settings_view(settings: StoreSettings) -> SettingsView:
    """The settings as the API shows them (the tax rate as a string)."""
    return {
        "store_name": settings.store_name,
        "ruc": settings.ruc,
        "address": settings.address,
        "currency": settings.currency,
        "tax_rate": rate_text(settings.tax_rate),
        "low_stock_threshold": settings.low_stock_threshold,
        "language": settings.language,
        "time_zone": settings.time_zone,
        "configured": settings.updated_at is not None,
        "updated_at": settings.updated_at,
        "updated_by": settings.updated_by,
    }


class PreferencesFields(BaseModel):
    """The body of ``PUT /preferences``: the user's own choices. ``language`` null follows the store's."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    language: Language | None = None


class PreferencesView(TypedDict):
    """A user's own choices; ``language`` null means the store's language."""

    language: Language | None


def preferences_view(saved: dict[str, Any]) -> PreferencesView:
    """The choices the API knows, from the user's stored preferences (an unknown language reads as none)."""
    language = saved.get("language")
    return {"language": language if language in LANGUAGES else None}


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
