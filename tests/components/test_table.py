"""TableComponent under strict recording mocks."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from aws_systems.table import TableArgs, TableComponent
from tests import harness

TABLE = "aws:dynamodb/table:Table"
KEY = "aws:kms/key:Key"


def _table(**args: Any) -> TableComponent:
    return TableComponent("sessions", TableArgs(**{"partition_key": "pk", **args}))


def test_standard_defaults_on_demand_pitr_aws_owned_key(mocks, warnings) -> None:
    built: list[TableComponent] = []
    harness.run(lambda: built.append(_table()))
    table = mocks.one(TABLE, "sessions-table")
    assert table.inputs["billingMode"] == "PAY_PER_REQUEST"
    assert table.inputs["hashKey"] == "pk"
    assert table.inputs["attributes"] == [{"name": "pk", "type": "S"}]
    assert table.inputs["pointInTimeRecovery"] == {"enabled": True}
    assert table.inputs["serverSideEncryption"] == {"enabled": False}
    assert table.inputs["deletionProtectionEnabled"] is False
    assert "rangeKey" not in table.inputs and "ttl" not in table.inputs
    assert "readCapacity" not in table.inputs
    assert mocks.of_type(KEY) == []
    assert built[0].kms_key_arn is None and built[0].key is None
    assert warnings == []


def test_hardened_uses_a_rotated_customer_key_and_deletion_protection(mocks, warnings) -> None:
    harness.run(lambda: _table(protection="hardened"))
    key = mocks.one(KEY, "sessions-key")
    assert key.inputs["enableKeyRotation"] is True
    assert key.inputs["deletionWindowInDays"] == 30
    table = mocks.one(TABLE, "sessions-table")
    assert table.inputs["serverSideEncryption"] == {"enabled": True, "kmsKeyArn": key.outputs["arn"]}
    assert table.inputs["deletionProtectionEnabled"] is True
    assert warnings == []


def test_outputs_expose_name_arn_and_key_arn(mocks) -> None:
    @pulumi.runtime.test
    def check() -> pulumi.Output:
        component = _table(kms_key=True)
        assert component.kms_key_arn is not None

        def verify(values: list[str]) -> None:
            name, arn, key_arn = values
            assert name == "sessions-table"
            assert arn.endswith(":sessions-table") and ":dynamodb:" in arn
            assert ":kms:" in key_arn and key_arn.endswith(":sessions-key")

        return pulumi.Output.all(component.table_name, component.arn, component.kms_key_arn).apply(verify)

    check()
    # A customer key asked for in standard is not a weakening and uses the short deletion window.
    assert mocks.one(KEY, "sessions-key").inputs["deletionWindowInDays"] == 7


def test_sort_key_and_ttl(mocks) -> None:
    harness.run(lambda: _table(sort_key="sk", ttl_attribute="expires_at"))
    table = mocks.one(TABLE, "sessions-table")
    assert table.inputs["rangeKey"] == "sk"
    assert table.inputs["attributes"] == [{"name": "pk", "type": "S"}, {"name": "sk", "type": "S"}]
    assert table.inputs["ttl"] == {"attributeName": "expires_at", "enabled": True}


def test_provisioned_capacity_defaults_and_overrides(mocks) -> None:
    harness.run(lambda: _table(billing_mode="PROVISIONED", read_capacity=20))
    table = mocks.one(TABLE, "sessions-table")
    assert table.inputs["billingMode"] == "PROVISIONED"
    assert (table.inputs["readCapacity"], table.inputs["writeCapacity"]) == (20, 5)


def test_children_are_named_by_role_and_parented(mocks) -> None:
    harness.run(lambda: _table(protection="hardened"))
    children = harness.child_names(mocks, "awssystems:storage:TableComponent", "sessions")
    assert children == ["sessions-key", "sessions-table"]


def test_hardened_weakened_warns(mocks, warnings) -> None:
    harness.run(lambda: _table(protection="hardened", kms_key=False, deletion_protection=False))
    table = mocks.one(TABLE, "sessions-table")
    assert table.inputs["serverSideEncryption"] == {"enabled": False}
    assert table.inputs["deletionProtectionEnabled"] is False
    assert mocks.of_type(KEY) == []
    assert len(warnings) == 2
    assert any("kms_key" in w for w in warnings) and any("deletion_protection" in w for w in warnings)


def test_pitr_off_warns(mocks, warnings) -> None:
    harness.run(lambda: _table(point_in_time_recovery=False))
    assert mocks.one(TABLE, "sessions-table").inputs["pointInTimeRecovery"] == {"enabled": False}
    assert len(warnings) == 1 and "point_in_time_recovery" in warnings[0]


def test_transform_overrides_the_table(mocks) -> None:
    transforms = {"table": lambda props: {**props, "stream_enabled": True, "stream_view_type": "NEW_IMAGE"}}
    harness.run(lambda: _table(transforms=transforms))
    table = mocks.one(TABLE, "sessions-table")
    assert table.inputs["streamEnabled"] is True and table.inputs["streamViewType"] == "NEW_IMAGE"


def test_transform_for_the_key_without_a_key_is_rejected(mocks) -> None:
    with pytest.raises(ValueError, match="^transforms: .*key"):
        harness.run(lambda: _table(transforms={"key": lambda p: p}))


@pytest.mark.parametrize(
    ("args", "argument"),
    [
        ({"partition_key": ""}, "partition_key"),
        ({"partition_key": "x" * 256}, "partition_key"),
        ({"sort_key": ""}, "sort_key"),
        ({"sort_key": "pk"}, "sort_key"),
        ({"ttl_attribute": "x" * 256}, "ttl_attribute"),
        ({"ttl_attribute": "pk"}, "ttl_attribute"),
        ({"sort_key": "sk", "ttl_attribute": "sk"}, "ttl_attribute"),
        ({"billing_mode": "ON_DEMAND"}, "billing_mode"),
        ({"read_capacity": 5}, "read_capacity"),
        ({"billing_mode": "PROVISIONED", "write_capacity": 0}, "write_capacity"),
        ({"protection": "prod"}, "protection"),
    ],
)
def test_invalid_arguments_raise_naming_the_argument(args: dict[str, Any], argument: str) -> None:
    with pytest.raises(ValueError, match=f"^{argument}: "):
        TableArgs(**{"partition_key": "pk", **args})


def test_longest_allowed_attribute_name_is_accepted() -> None:
    assert TableArgs(partition_key="x" * 255).partition_key == "x" * 255
