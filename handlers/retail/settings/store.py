"""All DynamoDB access of the settings service: the ``settings`` table (env ``TABLE_SETTINGS``).

The table's contract (keys ``pk``, ``sk``, strings; TTL attribute ``expires_at``, epoch seconds):

- store settings: ``pk="SETTINGS", sk="STORE"`` with ``store_name`` (S), ``currency`` (S), ``tax_rate`` (S, a
  decimal string such as ``"0.18"``), ``low_stock_threshold`` (N), ``language`` (S), ``time_zone`` (S), ``ruc`` and
  ``address`` (S, absent when not set), ``updated_at`` (S), ``updated_by`` (S); missing → the store's defaults
  (``logic.default_settings``). Other services that only read the settings use
  ``StoreSettingsReader`` of ``handlers/retail/store_settings.py`` (their archives hold no part of this package).
- a session: ``pk="USER#<user_id>", sk="SESSION#<session_id>"`` with ``created_at`` (S) and ``expires_at`` (N);
- preferences: ``pk="USER#<user_id>", sk="PREFS"`` with ``preferences`` (S, compact JSON) and ``updated_at`` (S).

Last write wins, safely: a settings write is conditional on ``attribute_not_exists(updated_at) OR updated_at <=
:new``. Writes are stamped by the API when they arrive, so the item always holds the settings with the latest stamp
whatever order DynamoDB applies them in: a write that is overtaken (a slow or retried request carrying an older
stamp) fails its condition and is refused with a 409 instead of silently putting older settings back.

The boto3 client is created on first use (``handlers.shared.aws.client``). A DynamoDB that cannot be reached (no
connection, timeouts, throttling, a 5xx) raises the shared ``DatabaseUnavailable``, which the API answers with 503.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from pydantic import Field

from handlers.retail.settings import logic
from handlers.shared import aws
from handlers.shared.db import DatabaseUnavailable
from handlers.shared.settings import EnvSettings, ServiceSettings


class TableSettings(EnvSettings):
    """Only the table: what code outside the service's functions (a back end using ``sessions.py``) needs."""

    table_settings: str = Field(alias="TABLE_SETTINGS", min_length=1)


class SettingsServiceSettings(ServiceSettings):
    """The settings functions' environment: the common variables and the table."""

    table_settings: str = Field(alias="TABLE_SETTINGS", min_length=1)


UNAVAILABLE_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
    }
)


def _is_unavailable(error: Exception) -> bool:
    """Whether boto3 says DynamoDB cannot serve the call now (as opposed to a bug or a refused request)."""
    from botocore.exceptions import ClientError, HTTPClientError
    from botocore.exceptions import ConnectionError as BotoConnectionError

    if isinstance(error, (BotoConnectionError, HTTPClientError)):
        return True
    return isinstance(error, ClientError) and error.response.get("Error", {}).get("Code") in UNAVAILABLE_CODES


def _error_code(error: Exception) -> str | None:
    response = getattr(error, "response", None)
    return response.get("Error", {}).get("Code") if isinstance(response, dict) else None


def _plain(item: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """A low-level item as plain values: S as str, N as its text (the caller decides int or Decimal)."""
    values: dict[str, Any] = {}
    for name, typed in item.items():
        if "S" in typed:
            values[name] = typed["S"]
        elif "N" in typed:
            values[name] = typed["N"]
        elif "NULL" in typed:
            values[name] = None
    return values


class SettingsTable:
    """The settings table, on an injected DynamoDB client or, by default, the shared lazy one."""

    def __init__(self, table_name: str, client: Any | None = None) -> None:
        if not table_name:
            raise ValueError("table_name: the settings table's name is required (env TABLE_SETTINGS)")
        self.table_name = table_name
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = aws.client("dynamodb")
        return self._client

    @contextmanager
    def _calling(self, action: str) -> Iterator[None]:
        try:
            yield
        except Exception as error:
            if _is_unavailable(error):
                raise DatabaseUnavailable(
                    f"DynamoDB table {self.table_name}: {action} failed: {type(error).__name__}"
                ) from error
            raise

    def _get(self, pk: str, sk: str) -> dict[str, Any] | None:
        with self._calling("GetItem"):
            got = self.client.get_item(
                TableName=self.table_name, Key={"pk": {"S": pk}, "sk": {"S": sk}}, ConsistentRead=True
            )
        item = got.get("Item")
        return _plain(item) if item else None

    # --- store settings ------------------------------------------------------------------------------------------

    def saved_store_settings(self) -> dict[str, Any] | None:
        """The saved settings as plain values (numbers as text), or None when none were saved."""
        return self._get(logic.SETTINGS_PK, logic.STORE_SK)

    def save_store_settings(self, settings: logic.StoreSettings) -> None:
        """Save stamped settings unless newer ones are saved already (then ``StaleSettingsWrite``, a 409)."""
        if settings.updated_at is None or settings.updated_by is None:
            raise ValueError("settings: only stamped settings are saved (see logic.stamped)")
        item = {
            "pk": {"S": logic.SETTINGS_PK},
            "sk": {"S": logic.STORE_SK},
            "store_name": {"S": settings.store_name},
            "currency": {"S": settings.currency},
            "tax_rate": {"S": logic.rate_text(settings.tax_rate)},
            "low_stock_threshold": {"N": str(settings.low_stock_threshold)},
            "language": {"S": settings.language},
            "time_zone": {"S": settings.time_zone},
            **{name: {"S": value} for name, value in (("ruc", settings.ruc), ("address", settings.address)) if value},
            "updated_at": {"S": settings.updated_at},
            "updated_by": {"S": settings.updated_by},
        }
        try:
            with self._calling("PutItem"):
                self.client.put_item(
                    TableName=self.table_name,
                    Item=item,
                    ConditionExpression="attribute_not_exists(updated_at) OR updated_at <= :stamp",
                    ExpressionAttributeValues={":stamp": {"S": settings.updated_at}},
                )
        except Exception as error:
            if _error_code(error) == "ConditionalCheckFailedException":
                raise logic.StaleSettingsWrite() from None
            raise

    # --- sessions and preferences --------------------------------------------------------------------------------

    def put_session(self, session: logic.Session) -> None:
        with self._calling("PutItem"):
            self.client.put_item(
                TableName=self.table_name,
                Item={
                    "pk": {"S": logic.user_pk(session.user_id)},
                    "sk": {"S": logic.session_sk(session.session_id)},
                    "created_at": {"S": session.created_at},
                    "expires_at": {"N": str(session.expires_at)},
                },
            )

    def get_session(self, user_id: str, session_id: str) -> logic.Session | None:
        """The stored session, expired or not (TTL deletion lags: see ``logic.is_live``)."""
        saved = self._get(logic.user_pk(user_id), logic.session_sk(session_id))
        if saved is None:
            return None
        return logic.Session(user_id, session_id, saved.get("created_at", ""), int(saved["expires_at"]))

    def get_preferences_json(self, user_id: str) -> str | None:
        saved = self._get(logic.user_pk(user_id), logic.PREFS_SK)
        return None if saved is None else saved.get("preferences")

    def put_preferences_json(self, user_id: str, preferences: str, updated_at: str) -> None:
        with self._calling("PutItem"):
            self.client.put_item(
                TableName=self.table_name,
                Item={
                    "pk": {"S": logic.user_pk(user_id)},
                    "sk": {"S": logic.PREFS_SK},
                    "preferences": {"S": preferences},
                    "updated_at": {"S": updated_at},
                },
            )
