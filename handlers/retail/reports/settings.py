"""The reports service's environment: the common service variables, the reports bucket and topic."""

from __future__ import annotations

from pydantic import Field

from handlers.shared.settings import ServiceSettings


class ReportsSettings(ServiceSettings):
    bucket_reports: str = Field(alias="BUCKET_REPORTS", min_length=1)
    topic_reports_arn: str = Field(alias="TOPIC_REPORTS_ARN", min_length=1)
