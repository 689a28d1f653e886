"""Sales metrics as CloudWatch EMF (``SalesCount``, ``SalesAmount``; namespace from ``POWERTOOLS_METRICS_NAMESPACE``,
dimension ``service`` from ``POWERTOOLS_SERVICE_NAME``). Powertools' Metrics is imported on the first sale, not at
cold start; each sale's metrics are flushed (one EMF line on stdout) right away, and never kept when metrics are off."""

from __future__ import annotations

from decimal import Decimal
from typing import Any


class SaleMetrics:
    def __init__(self) -> None:
        self._metrics: Any = None

    def __call__(self, total: Decimal) -> None:
        if self._metrics is None:
            from aws_lambda_powertools.metrics import Metrics, MetricUnit

            self._metrics, self._unit = Metrics(), MetricUnit
        self._metrics.add_metric(name="SalesCount", unit=self._unit.Count, value=1)
        self._metrics.add_metric(name="SalesAmount", unit=self._unit.NoUnit, value=float(total))
        self._metrics.flush_metrics()
        # With POWERTOOLS_METRICS_DISABLED, flush_metrics neither prints nor clears: the shared metric set would grow
        # with every sale of a warm function and surface once metrics are on again.
        self._metrics.clear_metrics()
