"""The cost estimate: hand-computed figures for a small stack, the price table's provenance, and every resource type
of the four stacks either priced or listed as free (a new billable type is reported as not priced, never as $0)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from aws_systems.cost import FREE, PRICERS, CostAssumptions, Estimate, estimate, free_reason, load
from aws_systems.cost.pricers_services import runs_per_month
from aws_systems.cost.prices import TABLE
from aws_systems.preflight.model import Resource
from tools.offline import stack_names, synthesize
from tools.plan import cost_of

STACK = "urn:pulumi:test::p::pulumi:pulumi:Stack::p-test"


def res(type_: str, name: str, parent: str = "", **props: Any) -> Resource:
    return Resource(type_, name, f"urn:pulumi:test::p::{type_}::{name}", props, parent or STACK)


def small_stack() -> list[Resource]:
    shop = res("awssystems:system:SystemComponent", "shop")
    db = res("awssystems:database:DatabaseComponent", "shop-db", shop.urn)
    network = res("awssystems:network:NetworkComponent", "network")
    eks = res("eks:index:Cluster", "cluster", shop.urn, instanceType="t3.medium", desiredCapacity=2)
    return [
        shop,
        db,
        network,
        eks,
        res("aws:eks/cluster:Cluster", "cluster-eks", eks.urn),  # inside pulumi-eks: priced with its component
        res(
            "aws:rds/instance:Instance",
            "db",
            db.urn,
            engine="mysql",
            instanceClass="db.t4g.micro",
            multiAz=True,
            allocatedStorage=20,
            storageType="gp3",
        ),  # fmt: skip
        res("aws:rds/proxy:Proxy", "proxy", db.urn),
        res(
            "aws:ec2/vpcEndpoint:VpcEndpoint",
            "sqs",
            network.urn,
            vpcEndpointType="Interface",
            serviceName="com.amazonaws.us-east-1.sqs",
            subnetIds=["a", "b"],
        ),  # fmt: skip
        res("aws:ec2/vpcEndpoint:VpcEndpoint", "s3", network.urn, vpcEndpointType="Gateway"),
        res("aws:kms/key:Key", "key", shop.urn),
        res("aws:secretsmanager/secret:Secret", "secret", shop.urn),
        res("aws:cloudwatch/metricAlarm:MetricAlarm", "alarm", shop.urn, period=60),
        res("aws:lambda/function:Function", "fn", shop.urn, memorySize=1024, architectures=["arm64"]),
        res("aws:apigatewayv2/api:Api", "api", shop.urn, protocolType="HTTP"),
        res("aws:iam/role:Role", "role", shop.urn),
    ]


ASSUME = CostAssumptions(
    api_requests_monthly=2_000_000, lambda_invocations_monthly=1_000_000, lambda_duration_ms=100, endpoint_gb_monthly=0
)


def test_a_small_stack_costs_what_the_price_pages_say():
    found = estimate(small_stack(), ASSUME, region="us-east-1")
    by_name = {r.name: r.usd for r in found.resources}
    # EKS: control plane 730 h × $0.10; 2 t3.medium × 730 h × $0.0416; 2 root volumes × 20 GB × $0.10 (gp2).
    assert by_name["cluster"] == pytest.approx(73.00 + 60.736 + 4.00)
    # db.t4g.micro Multi-AZ: 2 × 730 h × $0.016; 20 GB gp3 × 2 × $0.115.
    assert by_name["db"] == pytest.approx(23.36 + 4.60)
    # RDS Proxy: at least 2 vCPUs × 730 h × $0.015.
    assert by_name["proxy"] == pytest.approx(21.90)
    # An interface endpoint in two AZs: 2 × 730 h × $0.01; no data assumed. The gateway endpoint is free.
    assert by_name["sqs"] == pytest.approx(14.60) and by_name["s3"] == 0
    assert (by_name["key"], by_name["secret"], by_name["alarm"]) == pytest.approx((1.00, 0.40, 0.10))
    # 1,000,000 invocations: $0.20 of requests; 1,000,000 × 0.1 s × 1 GB = 100,000 GB-s × $0.0000133334 (arm64).
    assert by_name["fn"] == pytest.approx(0.20 + 1.33334)
    assert by_name["api"] == pytest.approx(2.00)  # 2 million requests × $1.00
    assert found.usd == pytest.approx(137.736 + 27.96 + 21.90 + 14.60 + 1.50 + 1.53334 + 2.00)
    assert found.group_usd() == pytest.approx(
        {"shop": 137.736 + 27.96 + 21.90 + 1.50 + 1.53334 + 2.00, "network": 14.60}
    )
    assert found.fixed_usd == pytest.approx(137.736 + 27.96 + 21.90 + 14.60 + 1.50)
    assert "cluster-eks" not in by_name and "role" not in by_name and found.unpriced == []


def test_usage_figures_carry_the_assumption_they_rest_on():
    found = estimate(small_stack(), ASSUME)
    [api] = [r for r in found.resources if r.name == "api"]
    assert api.items[0].usage == "2,000,000 requests/month per API (apiRequestsMonthly)"
    [key] = [r for r in found.resources if r.name == "key"]
    assert key.items[0].fixed and "$1.00 per key-month" in key.items[0].what


def test_a_billable_type_or_size_without_a_price_is_reported_not_priced():
    stack = [
        res("aws:memorydb/cluster:Cluster", "cache"),
        res("aws:rds/instance:Instance", "big", engine="mysql", instanceClass="db.x2g.16xlarge"),
    ]
    found = estimate(stack)
    assert found.usd == 0 and [(u.name, u.reason) for u in found.unpriced] == [
        ("cache", "no pricer for this type"),
        ("big", "the price table has no 'rds.mysql.db.x2g.16xlarge'"),
    ]


def test_an_estimate_goes_to_json_and_back():
    found = estimate(small_stack(), ASSUME)
    again = Estimate.from_dict(json.loads(json.dumps(found.to_dict())))
    assert again.usd == pytest.approx(found.usd, abs=0.001) and again.group_usd().keys() == found.group_usd().keys()


@pytest.mark.parametrize(
    ("expression", "runs"),
    [
        ("rate(1 minute)", 43_804.8),
        ("rate(5 minutes)", 8_760.96),
        ("cron(0 6 * * ? *)", 30.42),
        ("rate(2 hours)", 365.04),
    ],
)
def test_how_often_a_schedule_runs(expression, runs):
    assert runs_per_month(expression) == pytest.approx(runs)


def test_every_price_names_its_region_date_and_aws_source_page():
    table = load()
    assert "to be refreshed" in table.about
    for price in table.prices.values():
        assert price.region == "us-east-1" and price.usd > 0, price
        assert dt.date.fromisoformat(price.taken) <= dt.date.today(), price
        assert (
            price.source.startswith("https://aws.amazon.com/")
            and price.source.endswith("/pricing/")
            or ("/pricing/" in price.source)
        ), price
    assert json.loads(TABLE.read_text())["currency"] == "USD"


def test_no_type_is_both_priced_and_free():
    assert set(PRICERS) & set(FREE) == set()


@pytest.fixture(scope="module")
def stacks() -> dict[str, Any]:
    return {stack: synthesize(stack) for stack in stack_names()}


@pytest.mark.parametrize("stack", ["dev", "qa", "stage", "prod"])
def test_every_type_of_every_stack_is_priced_or_listed_free(stacks, stack):
    result = stacks[stack]
    parents = {r.parent for r in result.resources}
    components = {r.type for r in result.resources if r.urn in parents}
    types = {r.type for r in result.resources}
    unexplained = sorted(t for t in types if t not in PRICERS and free_reason(t) is None and t not in components)
    assert unexplained == []
    found = cost_of(result)
    assert found.unpriced == [] and found.notes == []
    assert found.usd > found.fixed_usd > 100
