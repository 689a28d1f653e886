"""The reports service's environment: the common service variables, the reports bucket and topic, and the settings
table (the store's language, time zone and currency)."""

from __future__ import annotations

from pydantic import Field

from handlers.retail.store_settings import ReadsStoreSettings


class ReportsSettings(ReadsStoreSettings):
    bucket_reports: str = Field(alias="BUCKET_REPORTS", min_length=1)
    topic_reports_arn: str = Field(alias="TOPIC_REPORTS_ARN", min_length=1)
