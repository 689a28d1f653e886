"""The settings rules without AWS, and how the table adapter classifies DynamoDB's failures."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError
from pydantic import ValidationError

from handlers.retail.settings import logic
from handlers.retail.settings.api import router
from handlers.retail.settings.store import SettingsTable
from handlers.retail.settings.usecases import SettingsUseCases
from handlers.retail.store_settings import StoreDefaults
from handlers.shared.clock import timestamp_ms
from handlers.shared.db import DatabaseUnavailable
from tests.events import said
from tests.handlers.retail.settings.conftest import ADMIN, START, VALID, call_app


@pytest.mark.parametrize(("rate", "text"), [
    ("0", "0.00"), ("0.1", "0.10"), ("0.18", "0.18"), ("0.1800", "0.18"), ("0.075", "0.075"), ("0.0825", "0.0825"),
    ("1", "1.00"), ("1E+0", "1.00"), ("0.0001", "0.0001"), ("1e-2", "0.01"),
])  # fmt: skip
def test_rate_text_has_two_to_four_decimals_and_no_exponent(rate, text):
    assert logic.rate_text(Decimal(rate)) == text


def test_the_defaults_are_the_stores():
    view = logic.settings_view(logic.settings_or_defaults(None, StoreDefaults(name="Market Carmensita")))
    assert view == {"store_name": "Market Carmensita", "ruc": None, "address": None, "currency": "PEN",
                    "tax_rate": "0.18", "low_stock_threshold": 5, "language": "es-PE", "time_zone": "America/Lima",
                    "configured": False, "updated_at": None, "updated_by": None}  # fmt: skip


def test_saved_settings_read_back_from_table_text():
    saved = {"store_name": "Shop", "currency": "EUR", "tax_rate": "0.18", "low_stock_threshold": "7", "pk": "SETTINGS",
             "sk": "STORE", "updated_at": "2026-03-10T10:00:00.000+00:00", "updated_by": "u-admin"}  # fmt: skip
    current = logic.settings_or_defaults(saved, StoreDefaults(language="en"))
    assert current.tax_rate == Decimal("0.18") and current.low_stock_threshold == 7
    assert current.updated_by == "u-admin"
    assert (current.language, current.ruc) == ("en", None), "saved before the field existed: its default"


@pytest.mark.parametrize("ruc", ["20100070970", "20131312955", "10468853154", "17000000019"])
def test_a_ruc_with_its_check_digit_is_accepted(ruc):
    assert logic.StoreSettingsFields(**VALID, ruc=ruc).ruc == ruc


@pytest.mark.parametrize("ruc", ["20100070971", "2010007097", "201000709700", "30100070970", "2010007097A", ""])
def test_a_ruc_with_a_wrong_digit_length_or_prefix_is_refused_with_its_code(ruc):
    with pytest.raises(ValidationError) as raised:
        logic.StoreSettingsFields(**VALID, ruc=ruc)
    assert [e["type"] for e in raised.value.errors()] == ["invalid_ruc"]


def test_fields_left_out_keep_their_value_and_null_clears_the_ruc_and_address():
    current = logic.StoreSettings(**VALID, ruc="20100070970", address="Av. Grau 120, Lima", language="en",
                                  time_zone="Europe/Madrid")  # fmt: skip
    kept = logic.stamped(logic.StoreSettingsFields(**VALID), current, "u-admin", START)
    assert (kept.ruc, kept.address, kept.language, kept.time_zone) == ("20100070970", "Av. Grau 120, Lima", "en",
                                                                       "Europe/Madrid")  # fmt: skip
    body = {**VALID, "ruc": None, "address": None, "language": None, "time_zone": "America/Lima"}
    changed = logic.stamped(logic.StoreSettingsFields(**body), current, "u-admin", START)
    assert (changed.ruc, changed.address, changed.language, changed.time_zone) == (None, None, "en", "America/Lima")


def test_stamps_sort_as_text_in_time_order():
    earlier, later = timestamp_ms(START), timestamp_ms(START.replace(microsecond=1000))
    assert earlier == "2026-03-10T10:00:00.000+00:00" and earlier < later


class FailingClient:
    """A DynamoDB client whose every call raises ``error``."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def get_item(self, **_: Any) -> Any:
        raise self.error

    def put_item(self, **_: Any) -> Any:
        raise self.error


def client_error(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "no"}}, "GetItem")


@pytest.mark.parametrize("error", [
    EndpointConnectionError(endpoint_url="http://dynamodb"), ReadTimeoutError(endpoint_url="http://dynamodb"),
    client_error("ProvisionedThroughputExceededException"), client_error("ThrottlingException"),
    client_error("InternalServerError"),
])  # fmt: skip
def test_dynamodb_that_cannot_serve_now_is_unavailable_a_503(error):
    table = SettingsTable("t", client=FailingClient(error))
    with pytest.raises(DatabaseUnavailable, match="DynamoDB table t"):
        table.saved_store_settings()
    assert call_app(router.app(SettingsUseCases(table)), "PUT /settings", ADMIN, body=VALID)[0] == 503


def test_other_dynamodb_errors_are_not_hidden_as_unavailable():
    table = SettingsTable("t", client=FailingClient(client_error("ResourceNotFoundException")))
    with pytest.raises(ClientError):
        table.saved_store_settings()
    status, body = call_app(router.app(SettingsUseCases(table)), "GET /settings", ADMIN)
    assert said((status, body)) == (500, "internal error")


def test_the_table_name_is_required():
    with pytest.raises(ValueError, match="TABLE_SETTINGS"):
        SettingsTable("")
