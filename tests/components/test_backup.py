"""BackupPlanComponent under the recording mocks: profiles, children, notifications, overrides, validation."""

from __future__ import annotations

from typing import Any

import pytest

from aws_systems import defaults
from aws_systems.backup import BackupPlanArgs, BackupPlanComponent
from tests import harness

COMPONENT = "awssystems:backup:BackupPlanComponent"
KEY = "aws:kms/key:Key"
VAULT = "aws:backup/vault:Vault"
LOCK = "aws:backup/vaultLockConfiguration:VaultLockConfiguration"
PLAN = "aws:backup/plan:Plan"
ROLE = "aws:iam/role:Role"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
SELECTION = "aws:backup/selection:Selection"
NOTIFICATIONS = "aws:backup/vaultNotifications:VaultNotifications"

DB_ARN = f"arn:aws:rds:{harness.REGION}:{harness.ACCOUNT}:db:retail"
TABLE_ARN = f"arn:aws:dynamodb:{harness.REGION}:{harness.ACCOUNT}:table/settings"
TOPIC = f"arn:aws:sns:{harness.REGION}:{harness.ACCOUNT}:alarms"


def build(**kwargs: Any) -> BackupPlanComponent:
    """Build one component named ``backup`` under the mocks and return it."""
    built: list[BackupPlanComponent] = []
    args = BackupPlanArgs(**{"resource_arns": [DB_ARN, TABLE_ARN], **kwargs})
    harness.run(lambda: built.append(BackupPlanComponent("backup", args)))
    return built[0]


def rule(mocks: harness.RecordingMocks) -> dict[str, Any]:
    (only,) = mocks.one(PLAN, "backup-plan").inputs["rules"]
    return only


# --- profiles ---------------------------------------------------------------------------------------------------
def test_standard_keeps_a_week_in_an_unlocked_vault_with_the_aws_key(mocks, warnings) -> None:
    build()
    assert mocks.of_type(KEY) == [] and mocks.of_type(LOCK) == [] and mocks.of_type(NOTIFICATIONS) == []
    assert "kmsKeyArn" not in mocks.one(VAULT, "backup-vault").inputs
    r = rule(mocks)
    assert r["schedule"] == "cron(0 5 * * ? *)" == defaults.BACKUP_SCHEDULE
    assert r["lifecycle"] == {"deleteAfter": 7}
    assert (r["startWindow"], r["completionWindow"]) == (60, 180)
    assert r["targetVaultName"] == mocks.one(VAULT).outputs["name"]
    assert r["recoveryPointTags"] == {"backup-plan": "backup", "protection": "standard"}
    assert harness.snake_keys(mocks.one(PLAN).inputs) == []
    assert warnings == []


def test_hardened_uses_a_rotated_key_and_a_governance_lock_at_the_retention(mocks, warnings) -> None:
    build(protection="hardened")
    key = mocks.one(KEY, "backup-key")
    assert key.inputs["enableKeyRotation"] is True
    assert key.inputs["deletionWindowInDays"] == defaults.KMS_KEY_DELETION_WINDOW_DAYS
    assert mocks.one(VAULT).inputs["kmsKeyArn"] == key.outputs["arn"]
    lock = mocks.one(LOCK, "backup-vault-lock")
    assert lock.inputs["backupVaultName"] == mocks.one(VAULT).outputs["name"]
    assert lock.inputs["minRetentionDays"] == 35
    assert "changeableForDays" not in lock.inputs  # governance mode: never becomes immutable
    assert rule(mocks)["lifecycle"] == {"deleteAfter": 35}
    assert warnings == []


def test_stronger_than_the_profile_is_allowed_without_warning(mocks, warnings) -> None:
    build(retention_days=60, kms_key=True, vault_lock=True)
    assert mocks.one(LOCK).inputs["minRetentionDays"] == 60
    assert mocks.one(VAULT).inputs["kmsKeyArn"] == mocks.one(KEY).outputs["arn"]
    assert warnings == []


def test_weakening_hardened_defaults_warns_for_each_setting(mocks, warnings) -> None:
    build(protection="hardened", retention_days=10, kms_key=False, vault_lock=False)
    assert mocks.of_type(KEY) == [] and mocks.of_type(LOCK) == []
    assert rule(mocks)["lifecycle"] == {"deleteAfter": 10}
    assert len(warnings) == 3
    for setting in ("retention_days", "kms_key", "vault_lock"):
        assert any(setting in message and "backup" in message for message in warnings), setting


def test_cold_storage_keeps_ninety_days_before_deletion(mocks) -> None:
    build(retention_days=120, cold_storage_after_days=30)
    assert rule(mocks)["lifecycle"] == {"deleteAfter": 120, "coldStorageAfter": 30}


# --- role, selection, notifications -------------------------------------------------------------------------------
def test_role_is_assumable_by_backup_only_and_has_the_managed_policies(mocks) -> None:
    build()
    role = mocks.one(ROLE, "backup-role")
    (statement,) = harness.statements(role.inputs["assumeRolePolicy"])
    assert statement == {
        "Effect": "Allow",
        "Principal": {"Service": "backup.amazonaws.com"},
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": harness.ACCOUNT}},  # against the confused deputy
    }
    policies = {a.name: a.inputs["policyArn"] for a in mocks.of_type(ATTACHMENT)}
    assert policies == {
        "backup-role-backup": "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
        "backup-role-restore": "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
    }
    assert {a.inputs["role"] for a in mocks.of_type(ATTACHMENT)} == {role.outputs["name"]}


def test_selection_covers_the_resources_with_the_role_and_plan(mocks) -> None:
    component = build()
    selection = mocks.one(SELECTION, "backup-selection")
    assert selection.inputs["resources"] == [DB_ARN, TABLE_ARN]
    assert selection.inputs["iamRoleArn"] == mocks.one(ROLE).outputs["arn"]
    assert selection.inputs["planId"] == "backup-plan-id"
    assert harness.resolved(component.plan_id) == "backup-plan-id"
    assert harness.resolved(component.vault_name) == mocks.one(VAULT).outputs["name"]
    assert harness.resolved(component.vault_arn) == mocks.one(VAULT).outputs["arn"]


def test_notifications_send_job_results_to_the_topic(mocks) -> None:
    build(notification_topic_arn=TOPIC)
    notifications = mocks.one(NOTIFICATIONS, "backup-notifications")
    assert notifications.inputs["snsTopicArn"] == TOPIC
    assert notifications.inputs["backupVaultName"] == mocks.one(VAULT).outputs["name"]
    events = notifications.inputs["backupVaultEvents"]
    assert "BACKUP_JOB_COMPLETED" in events and "RESTORE_JOB_COMPLETED" in events
    assert "BACKUP_JOB_FAILED" not in events  # deprecated by AWS: it never fires


# --- structure and overrides --------------------------------------------------------------------------------------
def test_children_are_named_by_role_and_parented_to_the_component(mocks) -> None:
    build(protection="hardened", notification_topic_arn=TOPIC)
    assert harness.child_names(mocks, COMPONENT, "backup") == sorted(
        f"backup-{role}"
        for role in (
            "key",
            "vault",
            "vault-lock",
            "plan",
            "role",
            "role-backup",
            "role-restore",
            "selection",
            "notifications",
        )
    )


def test_a_transform_changes_one_child(mocks) -> None:
    build(transforms={"vault": lambda props: {**props, "force_destroy": True}})
    assert mocks.one(VAULT).inputs["forceDestroy"] is True


def test_a_transform_for_a_child_that_is_not_built_is_rejected(mocks) -> None:
    with pytest.raises(ValueError, match=r"^transforms: unknown child role\(s\) key"):
        build(transforms={"key": lambda props: props})


# --- validation ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"resource_arns": []}, "resource_arns"),
        ({"resource_arns": DB_ARN}, "resource_arns"),
        ({"resource_arns": ["retail-db"]}, "resource_arns"),
        ({"schedule": "rate(1 day)"}, "schedule"),
        ({"schedule": "cron(0 5 * * ?)"}, "schedule"),
        ({"retention_days": 0}, "retention_days"),
        ({"retention_days": True}, "retention_days"),
        ({"cold_storage_after_days": 0}, "cold_storage_after_days"),
        ({"retention_days": 100, "cold_storage_after_days": 11}, "cold_storage_after_days"),
        ({"cold_storage_after_days": 1}, "cold_storage_after_days"),  # 7-day default leaves no room
        ({"protection": "prod"}, "protection"),
    ],
)
def test_invalid_arguments_name_the_argument(kwargs: dict[str, Any], argument: str) -> None:
    with pytest.raises(ValueError, match=f"^{argument}: "):
        BackupPlanArgs(**{"resource_arns": [DB_ARN], **kwargs})


@pytest.mark.parametrize("name", ["x" * 33, "retail backup", ""])
def test_names_that_would_break_aws_backup_limits_are_rejected(mocks, name: str) -> None:
    args = BackupPlanArgs(resource_arns=[DB_ARN])
    with pytest.raises(ValueError, match="^name: "):
        BackupPlanComponent(name, args)
