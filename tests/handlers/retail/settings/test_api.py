"""The settings routes through the resolver with canonical API Gateway events, on moto's DynamoDB."""

from __future__ import annotations

from datetime import timedelta

import pytest

from handlers.retail.settings import sessions
from handlers.retail.settings.api import router
from handlers.retail.settings.usecases import SettingsUseCases
from tests.handlers.retail.settings.conftest import (
    ADMIN,
    SELLER,
    START,
    STRANGER,
    VALID,
    WAREHOUSE,
    call_app,
    raw_item,
)


def test_defaults_apply_when_nothing_was_saved(call):
    for who in (ADMIN, SELLER, WAREHOUSE):
        assert call("GET /settings", who) == (200, {
            "store_name": "Mi tienda", "ruc": None, "address": None, "currency": "PEN", "tax_rate": "0.18",
            "low_stock_threshold": 5, "language": "es-PE", "time_zone": "America/Lima", "configured": False,
            "updated_at": None, "updated_by": None,
        })  # fmt: skip


def test_an_admin_saves_the_settings_and_staff_read_them(call, dynamodb):
    status, saved = call("PUT /settings", ADMIN, body=VALID)
    assert status == 200
    stamps = {"configured": True, "updated_at": "2026-03-10T10:00:00.000+00:00", "updated_by": "u-admin"}
    assert saved == {**VALID, "ruc": None, "address": None, "language": "es-PE", "time_zone": "America/Lima", **stamps}
    assert call("GET /settings", SELLER) == (200, saved)
    assert call("GET /settings", WAREHOUSE) == (200, saved)
    item = raw_item(dynamodb, "SETTINGS", "STORE")
    assert item is not None
    assert item["tax_rate"] == {"S": "0.18"}, "the rate is a decimal string in the table"
    assert item["low_stock_threshold"] == {"N": "3"} and item["currency"] == {"S": "EUR"}
    assert "expires_at" not in item, "the store settings never expire"


@pytest.mark.parametrize(("given", "shown"), [
    (0.18, "0.18"), ("0.1800", "0.18"), ("0.0825", "0.0825"), (0, "0.00"), (1, "1.00"), ("0.075", "0.075"),
])  # fmt: skip
def test_the_tax_rate_is_stored_and_shown_as_a_decimal_string(call, dynamodb, given, shown):
    status, saved = call("PUT /settings", ADMIN, body={**VALID, "tax_rate": given})
    assert status == 200 and saved["tax_rate"] == shown
    assert raw_item(dynamodb, "SETTINGS", "STORE")["tax_rate"] == {"S": shown}  # type: ignore[index]
    assert call("GET /settings", SELLER)[1]["tax_rate"] == shown


@pytest.mark.parametrize(("field", "value"), [
    ("currency", "usd"), ("currency", "EURO"), ("currency", "E1R"), ("currency", 978),
    ("tax_rate", "1.01"), ("tax_rate", -0.01), ("tax_rate", "0.12345"), ("tax_rate", "abc"), ("tax_rate", True),
    ("tax_rate", "NaN"), ("low_stock_threshold", -1), ("low_stock_threshold", 100_001), ("low_stock_threshold", 2.5),
    ("low_stock_threshold", "5"), ("store_name", ""), ("store_name", "   "), ("store_name", "x" * 101),
])  # fmt: skip
def test_a_bad_value_is_a_422_naming_the_field(call, field, value):
    status, body = call("PUT /settings", ADMIN, body={**VALID, field: value})
    assert status == 422, body
    assert [e["field"] for e in body["errors"]] == [field]


@pytest.mark.parametrize("missing", sorted(VALID))
def test_every_field_is_required(call, missing):
    body = {k: v for k, v in VALID.items() if k != missing}
    status, answer = call("PUT /settings", ADMIN, body=body)
    assert status == 422 and [e["field"] for e in answer["errors"]] == [missing]


def test_a_body_that_is_not_a_json_object_is_a_400(call):
    assert call("PUT /settings", ADMIN, body="{not json")[0] == 400
    assert call("PUT /settings", ADMIN, body=[VALID])[0] == 400


def test_the_stamps_come_from_the_server_not_the_body(call):
    status, saved = call("PUT /settings", ADMIN, body={**VALID, "updated_at": "2999-01-01", "updated_by": "mallory"})
    assert status == 200 and saved["updated_by"] == "u-admin" and saved["updated_at"].startswith("2026-03-10")


def test_only_admins_change_the_settings(call):
    assert call("PUT /settings", SELLER, body=VALID)[0] == 403
    assert call("PUT /settings", WAREHOUSE, body=VALID)[0] == 403
    assert call("PUT /settings", STRANGER, body=VALID)[0] == 403
    assert call("GET /settings", STRANGER)[0] == 403
    assert call("PUT /settings", None, body=VALID)[0] == 401
    assert call("GET /settings", None)[0] == 401
    assert call("GET /settings", ADMIN)[1]["configured"] is False, "nothing was saved"


def test_the_latest_write_wins_and_an_overtaken_one_is_refused(table, clock):
    """Two admins' requests stamped t1 < t2: if t2's write lands first, t1's arrives late and must not undo it."""
    app = router.app(SettingsUseCases(table, clock=clock))
    clock.now = START + timedelta(seconds=10)
    assert call_app(app, "PUT /settings", ADMIN, body={**VALID, "store_name": "Newer"})[0] == 200
    clock.now = START  # the slower request was stamped earlier
    status, body = call_app(app, "PUT /settings", ADMIN, body={**VALID, "store_name": "Older"})
    assert status == 409 and "later request" in body["message"]
    assert call_app(app, "GET /settings", SELLER)[1]["store_name"] == "Newer"
    clock.now = START + timedelta(seconds=20)
    assert call_app(app, "PUT /settings", ADMIN, body={**VALID, "store_name": "Latest"})[1]["store_name"] == "Latest"


def test_an_unreachable_dynamodb_is_a_503_without_internals(unreachable_table):
    app = router.app(SettingsUseCases(unreachable_table))
    for route, body in (("GET /settings", None), ("PUT /settings", VALID)):
        status, answer = call_app(app, route, ADMIN, body=body)
        assert status == 503, answer
        assert "127.0.0.1" not in answer["message"] and "Endpoint" not in answer["message"]


def test_the_store_details_are_saved_and_kept_when_left_out(call, dynamodb):
    details = {"ruc": "20100070970", "address": "Jr. de la Unión 512, Lima", "language": "en", "time_zone": "UTC"}
    status, saved = call("PUT /settings", ADMIN, body={**VALID, **details})
    assert status == 200 and {k: saved[k] for k in details} == details
    status, again = call("PUT /settings", ADMIN, body={**VALID, "store_name": "Bodega"})
    assert status == 200 and {k: again[k] for k in details} == details, "left out, each keeps its value"
    assert raw_item(dynamodb, "SETTINGS", "STORE")["ruc"] == {"S": "20100070970"}  # type: ignore[index]
    status, cleared = call("PUT /settings", ADMIN, body={**VALID, "ruc": None, "address": None})
    assert (cleared["ruc"], cleared["address"], cleared["language"]) == (None, None, "en")
    assert "ruc" not in raw_item(dynamodb, "SETTINGS", "STORE")  # type: ignore[operator]


@pytest.mark.parametrize(("field", "value", "code"), [
    ("ruc", "20100070971", "invalid_ruc"), ("language", "fr", "literal_error"),
    ("time_zone", "Lima", "unknown_time_zone"), ("address", "x" * 201, "string_too_long"),
])  # fmt: skip
def test_a_bad_store_detail_is_a_field_error_with_its_code(call, field, value, code):
    status, body = call("PUT /settings", ADMIN, body={**VALID, field: value})
    assert status == 422
    assert [(e["field"], e["code"]) for e in body["errors"]] == [(field, code)], body


def test_each_user_keeps_their_own_language(call):
    assert call("GET /preferences", SELLER) == (200, {"language": None}), "none chosen: the store's"
    assert call("PUT /preferences", SELLER, body={"language": "en"}) == (200, {"language": "en"})
    assert call("GET /preferences", SELLER) == (200, {"language": "en"})
    assert call("GET /preferences", WAREHOUSE) == (200, {"language": None}), "another user's choice is theirs"
    assert call("PUT /preferences", SELLER, body={"language": None}) == (200, {"language": None})
    assert call("PUT /preferences", SELLER, body={"language": "de"})[0] == 422
    assert call("PUT /preferences", SELLER, body={"theme": "dark"})[0] == 422, "only known choices"
    assert call("GET /preferences", None)[0] == 401


def test_preferences_stored_by_the_back_end_are_kept(call, table):
    sessions.put_preferences("u-seller", {"theme": "dark"}, table=table)
    assert call("PUT /preferences", SELLER, body={"language": "es-PE"})[1] == {"language": "es-PE"}
    assert sessions.get_preferences("u-seller", table=table) == {"theme": "dark", "language": "es-PE"}
