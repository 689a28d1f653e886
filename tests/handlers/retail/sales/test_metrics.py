from __future__ import annotations

import json
from decimal import Decimal

import pytest

from handlers.retail.sales.metrics import SaleMetrics


def test_emf_metrics_for_a_sale(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "retail")
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "retail-sales")
    SaleMetrics()(Decimal("33.00"))
    emf = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    directive = emf["_aws"]["CloudWatchMetrics"][0]
    assert directive["Namespace"] == "retail"
    assert {m["Name"] for m in directive["Metrics"]} == {"SalesCount", "SalesAmount"}
    assert (emf["SalesCount"], emf["SalesAmount"], emf["service"]) == ([1.0], [33.0], "retail-sales")
