"""The settings function as deployed: its environment as ``architectures/wiring.py`` writes it, moto's DynamoDB,
the module-level ``handler`` building its adapters lazily on the first call."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from architectures.retail import SYSTEM
from architectures.wiring import service_environment
from handlers.retail.settings import api
from handlers.retail.store_settings import StoreDefaults, store_config_json
from handlers.shared.settings import SettingsError
from tests.events import http_request
from tests.handlers.conftest import fake_aws
from tests.handlers.retail.settings.conftest import ADMIN, SELLER, VALID, create_settings_table


@pytest.fixture
def deployed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    service = next(s for s in SYSTEM.services if s.name == "settings")
    store = StoreDefaults(name="Market Carmensita")

    def lookup(kind: str, name: str) -> str:
        return store_config_json(store) if kind == "config" else f"retail-test-{name}"

    env = service_environment(SYSTEM, service, "test", lookup)
    assert env["TABLE_SETTINGS"] == "retail-test-settings"
    for key, value in env.items():
        monkeypatch.setenv(key, str(value))
    api.router.reset()
    with fake_aws(monkeypatch):
        create_settings_table("retail-test-settings")
        yield
    api.router.reset()


def test_the_deployed_handler_saves_and_reads_the_settings(deployed):
    put = api.handler(http_request("PUT /settings", body=VALID, claims=ADMIN), None)
    assert put["statusCode"] == 200, put
    got = api.handler(http_request("GET /settings", claims=SELLER), None)
    assert got["statusCode"] == 200 and json.loads(got["body"]) == json.loads(put["body"])
    denied = api.handler(http_request("PUT /settings", body=VALID, claims=SELLER), None)
    assert denied["statusCode"] == 403, "the declared group rules reach the handler"


def test_the_deployed_handler_starts_from_the_stacks_store_config(deployed):
    got = json.loads(api.handler(http_request("GET /settings", claims=SELLER), None)["body"])
    assert (got["store_name"], got["currency"], got["configured"]) == ("Market Carmensita", "PEN", False)


def test_a_missing_table_variable_fails_at_cold_start_naming_it(monkeypatch):
    monkeypatch.setenv("SYSTEM_NAME", "retail")
    monkeypatch.setenv("SERVICE_NAME", "settings")
    monkeypatch.delenv("TABLE_SETTINGS", raising=False)
    api.router.reset()
    try:
        with pytest.raises(SettingsError, match="TABLE_SETTINGS"):
            api.handler(http_request("GET /settings", claims=ADMIN), None)
    finally:
        api.router.reset()
