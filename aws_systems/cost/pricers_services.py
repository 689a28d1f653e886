"""Prices of the managed services: mostly per request, event, GB or user, so most figures rest on the usage
assumptions; what is billed per month whatever the use (keys, secrets, alarms, dashboards, web ACLs, zones) is fixed.
"""

from __future__ import annotations

import json
import re

from aws_systems.cost.context import Context, CostResource, NotPriced, Pricer, count, get, num, text
from aws_systems.cost.model import Item

DAYS_PER_MONTH = 30.42
RATE = re.compile(r"^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$")
PER_DAY = {"minute": 1440, "hour": 24, "day": 1}
COGNITO_TIERS = {"LITE": "lite", "ESSENTIALS": "essentials", "PLUS": "plus"}
SNS_DELIVERY = {"email": "sns.email", "email-json": "sns.email", "http": "sns.http", "https": "sns.http"}
SNS_FREE = {"sqs", "lambda", "firehose"}


def function(r: CostResource, ctx: Context) -> list[Item]:
    """Requests, and GB-seconds at the function's memory and architecture; X-Ray traces when tracing is active."""
    a = ctx.assume
    invocations = float(a.lambda_invocations_monthly)
    memory_gb = num(get(r, "memorySize"), 128) / 1024
    arch = "arm64" if "arm64" in (get(r, "architectures") or []) else "x86_64"
    seconds = invocations * a.lambda_duration_ms / 1000 * memory_gb
    items = [
        ctx.usage("requests", "lambda.requests", invocations, "lambda_invocations_monthly", per_million=True),
        ctx.usage(
            f"compute at {memory_gb * 1024:g} MB {arch} (GB-s)",
            f"lambda.{arch}",
            seconds,
            "lambda_invocations_monthly",
            "lambda_duration_ms",
        ),
    ]
    if get(r, "tracingConfig", "mode") == "Active":
        traces = invocations * a.traced_share
        items.append(ctx.usage("X-Ray traces", "xray.traces", traces, "traced_share", per_million=True))
    return items


def http_api(r: CostResource, ctx: Context) -> list[Item]:
    protocol = text(get(r, "protocolType"), "HTTP")
    if protocol != "HTTP":
        raise NotPriced(f"no price for a {protocol} API")
    requests = float(ctx.assume.api_requests_monthly)
    return [ctx.usage("requests", "apigw.http", requests, "api_requests_monthly", per_million=True)]


def rest_api(r: CostResource, ctx: Context) -> list[Item]:
    requests = float(ctx.assume.api_requests_monthly)
    return [ctx.usage("requests", "apigw.rest", requests, "api_requests_monthly", per_million=True)]


def queue(r: CostResource, ctx: Context) -> list[Item]:
    """A queue with a redrive policy is a consumed work queue (its consumer polls it all month); one without is a
    dead-letter queue, which costs nothing while empty."""
    if get(r, "redrivePolicy") is None:
        return []
    key = "sqs.fifo" if get(r, "fifoQueue") is True else "sqs.standard"
    requests = float(ctx.assume.queue_requests_monthly)
    return [ctx.usage("requests", key, requests, "queue_requests_monthly", per_million=True)]


def topic(r: CostResource, ctx: Context) -> list[Item]:
    publishes = float(ctx.assume.notifications_monthly)
    return [ctx.usage("publishes", "sns.publish", publishes, "notifications_monthly", per_million=True)]


def topic_subscription(r: CostResource, ctx: Context) -> list[Item]:
    """Deliveries to email and HTTP/S endpoints are billed, one per publish; to SQS and Lambda they are free."""
    protocol = text(get(r, "protocol"), "email")
    if protocol in SNS_FREE:
        return []
    if protocol not in SNS_DELIVERY:
        raise NotPriced(f"no price for SNS deliveries over {protocol}")
    deliveries = float(ctx.assume.notifications_monthly)
    return [
        ctx.usage(
            f"{protocol} deliveries", SNS_DELIVERY[protocol], deliveries, "notifications_monthly", per_million=True
        )
    ]


def event_bus(r: CostResource, ctx: Context) -> list[Item]:
    events = float(ctx.assume.events_monthly)
    return [ctx.usage("custom events", "events.custom", events, "events_monthly", per_million=True)]


def event_archive(r: CostResource, ctx: Context) -> list[Item]:
    """Every event of the bus archived, and kept for the archive's retention (a year when it keeps them forever)."""
    gb = ctx.assume.events_monthly * ctx.assume.event_size_kb / 1024 / 1024
    months = num(get(r, "retentionDays"), 365) / DAYS_PER_MONTH or 12
    return [
        ctx.usage("events archived (GB)", "events.archive", gb, "events_monthly", "event_size_kb"),
        ctx.usage(f"archive kept {months:.1f} months (GB)", "events.archive.store", gb * months, "events_monthly"),
    ]


def runs_per_month(expression: str) -> float:
    """How often a schedule runs: exact for ``rate()``, from the minute, hour and day fields for ``cron()``."""
    rate = RATE.match(expression.strip())
    if rate:
        return PER_DAY[rate[2].rstrip("s")] / int(rate[1]) * DAYS_PER_MONTH
    if expression.startswith("cron(") and expression.endswith(")"):
        fields = expression[5:-1].split()
        if len(fields) == 6:
            minutes, hours = _values(fields[0], 60), _values(fields[1], 24)
            return minutes * hours * _days(fields[2], fields[4])
    if expression.startswith("at("):
        return 0.0
    raise NotPriced(f"cannot tell how often {expression!r} runs")


def _values(field: str, span: int) -> float:
    if field in ("*", "?"):
        return span
    total = 0.0
    for part in field.split(","):
        base, _, step = part.partition("/")
        if step:
            start = 0 if base in ("*", "") else int(base.split("-")[0])
            total += len(range(start, span, int(step)))
        elif "-" in base:
            low, high = base.split("-")
            total += int(high) - int(low) + 1
        else:
            total += 1
    return total


def _days(day_of_month: str, day_of_week: str) -> float:
    if day_of_month not in ("*", "?"):
        return _values(day_of_month, 31) * DAYS_PER_MONTH / 31
    if day_of_week not in ("*", "?"):
        return _values(day_of_week.replace("L", "").replace("#", ","), 7) * DAYS_PER_MONTH / 7
    return DAYS_PER_MONTH


def schedule(r: CostResource, ctx: Context) -> list[Item]:
    """Scheduler invocations, from the schedule expression (the function it runs is priced on the function)."""
    expression = text(get(r, "scheduleExpression"))
    runs = runs_per_month(expression)
    return [ctx.fixed(f"invocations ({expression}, per million)", "scheduler.invocations", runs / 1_000_000)]


def dynamodb_table(r: CostResource, ctx: Context) -> list[Item]:
    a = ctx.assume
    if text(get(r, "billingMode"), "PROVISIONED") == "PAY_PER_REQUEST":
        items = [
            ctx.usage("reads", "dynamodb.read", a.table_reads_monthly, "table_reads_monthly", per_million=True),
            ctx.usage("writes", "dynamodb.write", a.table_writes_monthly, "table_writes_monthly", per_million=True),
        ]
    else:
        items = [
            ctx.fixed("read capacity", "dynamodb.rcu", num(get(r, "readCapacity")) * ctx.hours),
            ctx.fixed("write capacity", "dynamodb.wcu", num(get(r, "writeCapacity")) * ctx.hours),
        ]
    items.append(ctx.usage("storage", "dynamodb.storage", a.table_stored_gb, "table_stored_gb"))
    if get(r, "pointInTimeRecovery", "enabled") is True:
        items.append(ctx.usage("point-in-time recovery", "dynamodb.pitr", a.table_stored_gb, "table_stored_gb"))
    return items


def bucket(r: CostResource, ctx: Context) -> list[Item]:
    return [ctx.usage("storage", "s3.standard", ctx.assume.s3_stored_gb, "s3_stored_gb")]


def log_group(r: CostResource, ctx: Context) -> list[Item]:
    """Ingestion, and what the retention keeps once it is full (uncompressed: CloudWatch bills the compressed size,
    so this errs high); a group that never expires is counted at a year."""
    gb = ctx.assume.log_ingested_gb_monthly
    months = num(get(r, "retentionInDays"), 365) / DAYS_PER_MONTH or 12
    return [
        ctx.usage("ingestion", "cloudwatch.logs.ingest", gb, "log_ingested_gb_monthly"),
        ctx.usage(f"storage of {months:.1f} months", "cloudwatch.logs.store", gb * months, "log_ingested_gb_monthly"),
    ]


def metric_alarm(r: CostResource, ctx: Context) -> list[Item]:
    """Per metric the alarm watches; periods under a minute are high resolution."""
    queries = get(r, "metricQueries")
    metrics = sum(1 for q in queries if isinstance(q, dict) and q.get("metric")) if count(queries) else 1
    high = num(get(r, "period"), 60) < 60
    return [ctx.fixed("alarm metrics", "cloudwatch.alarm.high" if high else "cloudwatch.alarm", max(metrics, 1))]


def dashboard(r: CostResource, ctx: Context) -> list[Item]:
    return [ctx.fixed("dashboard", "cloudwatch.dashboard", 1)]


def kms_key(r: CostResource, ctx: Context) -> list[Item]:
    return [ctx.fixed("customer-managed key", "kms.key", 1)]


def secret(r: CostResource, ctx: Context) -> list[Item]:
    return [ctx.fixed("secret", "secrets.secret", 1)]


def user_pool(r: CostResource, ctx: Context) -> list[Item]:
    tier = text(get(r, "userPoolTier"), "ESSENTIALS")
    if tier not in COGNITO_TIERS:
        raise NotPriced(f"no price for the Cognito {tier} tier")
    users = float(ctx.assume.monthly_active_users)
    return [ctx.usage(f"{tier.title()} users", f"cognito.{COGNITO_TIERS[tier]}", users, "monthly_active_users")]


def distribution(r: CostResource, ctx: Context) -> list[Item]:
    """Transfer out and HTTPS requests; a CloudFront Function runs on each request of the behaviours it serves."""
    a = ctx.assume
    requests = float(a.web_requests_monthly)
    items = [
        ctx.usage("data out", "cloudfront.transfer", a.web_transfer_gb_monthly, "web_transfer_gb_monthly"),
        ctx.usage("requests", "cloudfront.requests", requests, "web_requests_monthly", per_million=True),
    ]
    if "functionAssociations" in json.dumps(r.props, default=str):
        items.append(
            ctx.usage("function runs", "cloudfront.functions", requests, "web_requests_monthly", per_million=True)
        )
    return items


def web_acl(r: CostResource, ctx: Context) -> list[Item]:
    rules = count(get(r, "rules"))
    requests = float(ctx.assume.web_requests_monthly)
    return [
        ctx.fixed("web ACL", "waf.acl", 1),
        ctx.fixed(f"{rules} rules", "waf.rule", rules),
        ctx.usage("requests inspected", "waf.requests", requests, "web_requests_monthly", per_million=True),
    ]


def hosted_zone(r: CostResource, ctx: Context) -> list[Item]:
    return [ctx.fixed("hosted zone", "route53.zone", 1)]


PRICERS: dict[str, Pricer] = {
    "aws:lambda/function:Function": function,
    "aws:apigatewayv2/api:Api": http_api,
    "aws:apigateway/restApi:RestApi": rest_api,
    "aws:sqs/queue:Queue": queue,
    "aws:sns/topic:Topic": topic,
    "aws:sns/topicSubscription:TopicSubscription": topic_subscription,
    "aws:cloudwatch/eventBus:EventBus": event_bus,
    "aws:cloudwatch/eventArchive:EventArchive": event_archive,
    "aws:scheduler/schedule:Schedule": schedule,
    "aws:dynamodb/table:Table": dynamodb_table,
    "aws:s3/bucket:Bucket": bucket,
    "aws:s3/bucketV2:BucketV2": bucket,
    "aws:cloudwatch/logGroup:LogGroup": log_group,
    "aws:cloudwatch/metricAlarm:MetricAlarm": metric_alarm,
    "aws:cloudwatch/dashboard:Dashboard": dashboard,
    "aws:kms/key:Key": kms_key,
    "aws:secretsmanager/secret:Secret": secret,
    "aws:cognito/userPool:UserPool": user_pool,
    "aws:cloudfront/distribution:Distribution": distribution,
    "aws:wafv2/webAcl:WebAcl": web_acl,
    "aws:route53/zone:Zone": hosted_zone,
}
"""Each priced type and how; the docstrings say what is counted."""
