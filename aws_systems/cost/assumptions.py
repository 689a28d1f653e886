"""What the estimate assumes about usage: the figures a stack's config may change (``costAssumptions``).

Fixed costs follow from what a stack declares (an instance class, a node count, the AZs of an endpoint). What the
systems do with them (requests, events, GB stored and logged) cannot be read from a program, so each usage-driven
figure rests on one of these assumptions, and the estimate prints the assumption next to the figure. Each is a
quantity per resource and per month, so that a stack with more functions or queues costs more.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


class CostAssumptions(BaseModel):
    """Usage per resource and month. Keys are camelCase in the stack config (``costAssumptions.apiRequestsMonthly``);
    the description of each field is the unit the reports print after its value."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True)

    hours_per_month: float = Field(default=730, gt=0, le=744, description="hours in a month")
    api_requests_monthly: int = Field(default=1_000_000, ge=0, description="requests/month per API")
    lambda_invocations_monthly: int = Field(default=100_000, ge=0, description="invocations/month per function")
    lambda_duration_ms: float = Field(default=200, ge=1, le=900_000, description="ms per invocation on average")
    traced_share: float = Field(default=0.05, ge=0, le=1, description="share of traced invocations X-Ray records")
    events_monthly: int = Field(default=100_000, ge=0, description="events/month per event bus")
    event_size_kb: float = Field(default=1, gt=0, le=256, description="KB per event")
    queue_requests_monthly: int = Field(
        default=1_000_000, ge=0, description="requests/month per consumed queue (sends, polls, deletes)"
    )
    notifications_monthly: int = Field(default=10_000, ge=0, description="publishes/month per topic")
    s3_stored_gb: float = Field(default=1, ge=0, description="GB stored per bucket")
    log_ingested_gb_monthly: float = Field(default=0.5, ge=0, description="GB/month ingested per log group")
    table_reads_monthly: int = Field(default=1_000_000, ge=0, description="reads/month per on-demand table")
    table_writes_monthly: int = Field(default=200_000, ge=0, description="writes/month per on-demand table")
    table_stored_gb: float = Field(default=1, ge=0, description="GB stored per table")
    monthly_active_users: int = Field(default=100, ge=0, description="monthly active users per user pool")
    web_requests_monthly: int = Field(
        default=1_000_000, ge=0, description="requests/month per distribution and web ACL"
    )
    web_transfer_gb_monthly: float = Field(default=10, ge=0, description="GB/month out per distribution")
    endpoint_gb_monthly: float = Field(default=1, ge=0, description="GB/month through each interface endpoint")
    nat_gb_monthly: float = Field(default=10, ge=0, description="GB/month through each NAT gateway")
    load_balancer_lcus: float = Field(default=1, ge=0, description="capacity units used per load balancer")
    backup_stored_gb: float = Field(default=20, ge=0, description="GB of backups kept per backup plan")
    ecr_stored_gb: float = Field(default=1, ge=0, description="GB of images per repository")

    def value(self, field: str) -> Any:
        return getattr(self, field)

    def label(self, field: str) -> str:
        """``1,000,000 requests/month per API (apiRequestsMonthly)``: the assumption as the reports show it."""
        info = type(self).model_fields[field]
        value = self.value(field)
        shown = f"{value:,}" if isinstance(value, int) else f"{value:,.4g}"
        return f"{shown} {info.description} ({to_camel(field)})"

    def as_config(self) -> dict[str, Any]:
        """The assumptions as the stack config spells them (camelCase)."""
        return self.model_dump(by_alias=True)
