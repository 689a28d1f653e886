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


def test_with_metrics_off_a_sale_prints_nothing_and_keeps_nothing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "retail")
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    SaleMetrics()(Decimal("10.00"))
    SaleMetrics()(Decimal("20.00"))
    assert capsys.readouterr().out == ""
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    SaleMetrics()(Decimal("5.00"))
    emf = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (emf["SalesCount"], emf["SalesAmount"]) == ([1.0], [5.0]), "the sales made while off are not carried over"
