"""The store settings as the retail services read them, their value types and their defaults: one contract for all.

The settings service owns the item (``settings/store.py`` writes it); the other services only read it. It lives in
the ``settings`` table (DynamoDB, env ``TABLE_SETTINGS``) under ``pk="SETTINGS", sk="STORE"``:

- ``store_name`` (1..100 characters) and ``currency`` (ISO 4217, three upper-case letters);
- ``tax_rate``: a decimal string such as ``"0.18"``, from 0 to 1 with at most 4 places (sales tax each sale with it);
- ``low_stock_threshold``: a whole number from 0 to 100000 (catalog gives it as ``min_stock`` to a new product whose
  body leaves ``min_stock`` out);
- ``language`` (``es-PE`` or ``en``: the messages the system sends) and ``time_zone`` (an IANA zone: the store's
  days, for its reports).

Before an admin saves the settings, the store's defaults apply (:class:`StoreDefaults`): the stack's ``store`` config,
which the services get as JSON in ``CONFIG_STORE``, each value it leaves out being a Peruvian store's (``PEN``, IGV
18%, Spanish, ``America/Lima``). A missing table name, item or attribute means the default; a stored value outside
its range is logged and the default applies.

This module sits at the system's level (``handlers/retail/*.py``) because every retail service's archive includes
those modules, and no service's archive includes another service's package.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import time
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Literal, get_args

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter, ValidationError
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from handlers.shared.aws import client
from handlers.shared.money import no_float_noise
from handlers.shared.settings import ServiceSettings

log = logging.getLogger(__name__)

SETTINGS_PK = "SETTINGS"
STORE_SK = "STORE"
DEFAULT_LOW_STOCK_THRESHOLD = 5
MAX_LOW_STOCK_THRESHOLD = 100_000
CONFIG_ENV = "CONFIG_STORE"

Language = Literal["es-PE", "en"]
LANGUAGES: tuple[str, ...] = get_args(Language)


@functools.cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _a_time_zone(name: str) -> str:
    if name not in _time_zones():
        raise PydanticCustomError("unknown_time_zone", "must be an IANA time zone, such as America/Lima")
    return name


# --- the value types, shared by the settings service's API, the stack config and the readers ------------------------

StoreName = Annotated[str, Field(min_length=1, max_length=100)]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217, three upper-case letters")]
TaxRate = Annotated[Decimal, BeforeValidator(no_float_noise), Field(ge=0, le=1, decimal_places=4)]
"""A JSON number is read through its shortest text (0.18 is 0.18)."""
LowStockThreshold = Annotated[int, Field(ge=0, le=MAX_LOW_STOCK_THRESHOLD)]
TimeZone = Annotated[str, AfterValidator(_a_time_zone), Field(description="An IANA time zone, such as America/Lima")]
AppUrl = Annotated[str, Field(pattern=r"^https?://[^\s/]+(/[^\s]*)?$", max_length=200)]


class StoreDefaults(BaseModel):
    """What a store starts with until its admin saves the settings: the stack's ``store`` config (camelCase keys, as
    in the stack file), each value it leaves out being a Peruvian store's."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True,
                              str_strip_whitespace=True)  # fmt: skip

    name: StoreName = "Mi tienda"
    currency: Currency = "PEN"
    tax_rate: TaxRate = Decimal("0.18")
    """IGV, Peru's general sales tax."""
    language: Language = "es-PE"
    time_zone: TimeZone = "America/Lima"
    app_url: AppUrl | None = None
    """The web app's address (``https://…``), for links in the notices; by default the site's domain, if set."""

    @classmethod
    def from_env(cls) -> StoreDefaults:
        """The defaults the stack gave the service (``CONFIG_STORE``); unset, a Peruvian store's."""
        text = os.environ.get(CONFIG_ENV, "").strip()
        try:
            return cls.model_validate_json(text) if text else cls()
        except ValidationError as error:
            first = error.errors()[0]
            where = "".join(f"{part}: " for part in first["loc"])
            raise ValueError(f"{CONFIG_ENV}: {where}{first['msg']}") from None


class ReadsStoreSettings(ServiceSettings):
    """The environment of a service that reads the store settings: the common variables and the settings table
    (``TABLE_SETTINGS``; unset, the defaults apply)."""

    settings_table: str | None = Field(None, alias="TABLE_SETTINGS")


@dataclass(frozen=True)
class StoreValues:
    """What the other services use of the store settings."""

    store_name: str
    currency: str
    tax_rate: Decimal
    low_stock_threshold: int
    language: Language
    time_zone: str


def default_values(defaults: StoreDefaults) -> StoreValues:
    return StoreValues(defaults.name, defaults.currency, defaults.tax_rate, DEFAULT_LOW_STOCK_THRESHOLD,
                       defaults.language, defaults.time_zone)  # fmt: skip


_STORED_TYPES: dict[str, Any] = {
    "store_name": StoreName,
    "currency": Currency,
    "tax_rate": TaxRate,
    "low_stock_threshold": LowStockThreshold,
    "language": Language,
    "time_zone": TimeZone,
}


@functools.cache
def _adapter(name: str) -> TypeAdapter[Any]:
    return TypeAdapter(_STORED_TYPES[name])


def stored_value(name: str, value: Any, default: Any) -> Any:
    """A stored attribute as its type (``tax_rate``'s text as a Decimal, a threshold's as an int); None is the
    default, and so is an invalid value, which is logged."""
    if value is None:
        return default
    try:
        return _adapter(name).validate_python(value)
    except ValidationError as error:
        log.warning("settings: %s %r is invalid (%s); using %r", name, value, error.errors()[0]["msg"], default)
        return default


def values_from_item(item: dict[str, Any], defaults: StoreValues) -> StoreValues:
    """The values of a stored item (plain values: the text of an S or an N), each missing or invalid one defaulted."""
    return StoreValues(**{name: stored_value(name, item.get(name), getattr(defaults, name)) for name in _STORED_TYPES})


class StoreSettingsReader:
    """``values()``: the settings in force, from one read of the item that is repeated at most once per
    ``ttl_seconds`` (60 by default) per container. A warm container then costs no DynamoDB read, and a change made in
    settings applies within that time. ``tax_rate()`` and ``low_stock_threshold()`` are shortcuts to its values."""

    def __init__(self, table_name: str | None, *, dynamodb: Any | None = None, ttl_seconds: float = 60.0,
                 monotonic: Callable[[], float] = time.monotonic,
                 defaults: StoreDefaults | None = None) -> None:  # fmt: skip
        self.table_name = table_name
        self._dynamodb = dynamodb
        self.ttl_seconds = ttl_seconds
        self._monotonic = monotonic
        self.defaults = default_values(defaults or StoreDefaults.from_env())
        self._cached: tuple[float, StoreValues] | None = None

    def tax_rate(self) -> Decimal:
        return self.values().tax_rate

    def low_stock_threshold(self) -> int:
        return self.values().low_stock_threshold

    def values(self) -> StoreValues:
        now = self._monotonic()
        if self._cached is not None and now - self._cached[0] < self.ttl_seconds:
            return self._cached[1]
        values = self._read()
        self._cached = (now, values)
        return values

    def _read(self) -> StoreValues:
        if not self.table_name:
            return self.defaults
        db = self._dynamodb or client("dynamodb")
        key = {"pk": {"S": SETTINGS_PK}, "sk": {"S": STORE_SK}}
        item = db.get_item(TableName=self.table_name, Key=key).get("Item") or {}
        return values_from_item({name: _stored(attribute) for name, attribute in item.items()}, self.defaults)


def _stored(attribute: dict[str, Any]) -> Any:
    """An attribute's value as DynamoDB returns it: the text of an S or an N (another type is logged as invalid)."""
    return attribute.get("S", attribute.get("N", attribute))


def store_config_json(defaults: StoreDefaults) -> str:
    """The defaults as the services get them in ``CONFIG_STORE``."""
    fields = set(StoreDefaults.model_fields)  # a subclass's own keys stay with the stack
    return json.dumps(defaults.model_dump(mode="json", by_alias=True, include=fields), separators=(",", ":"))
