"""Fixtures shared by the retail services' tests: the settings table in moto, holding the store settings item that
catalog and sales read (``handlers/retail/store_settings.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.handlers.conftest import fake_aws
from tests.handlers.retail.settings.conftest import TABLE, create_settings_table


@pytest.fixture
def settings_table(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The settings table (named ``TABLE``) in moto, empty; yields its DynamoDB client."""
    with fake_aws(monkeypatch):
        yield create_settings_table(TABLE)


def put_store_settings(dynamodb: Any, **attributes: dict[str, str]) -> None:
    """Write the store settings item with these typed attributes only, e.g. ``tax_rate={"S": "0.18"}``."""
    item = {"pk": {"S": "SETTINGS"}, "sk": {"S": "STORE"}, **attributes}
    dynamodb.put_item(TableName=TABLE, Item=item)
