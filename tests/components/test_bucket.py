"""SecureBucketComponent under strict recording mocks."""

from __future__ import annotations

import json
from typing import Any

import pytest

from aws_systems import defaults
from aws_systems.bucket import SecureBucketArgs, SecureBucketComponent
from tests import harness

BUCKET = "aws:s3/bucket:Bucket"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
ENCRYPTION = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
POLICY = "aws:s3/bucketPolicy:BucketPolicy"
LOGGING = "aws:s3/bucketLogging:BucketLogging"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/abc"


def _bucket(**args: Any) -> SecureBucketComponent:
    return SecureBucketComponent("data", SecureBucketArgs(**args))


def _rule(mocks: harness.RecordingMocks) -> dict[str, Any]:
    (rule,) = mocks.one(LIFECYCLE, "data-lifecycle").inputs["rules"]
    return rule


def test_standard_defaults_make_a_private_versioned_encrypted_bucket(mocks, warnings) -> None:
    harness.run(lambda: _bucket(access_logs_bucket="logs"))
    assert mocks.one(BUCKET, "data-bucket").inputs.get("forceDestroy") is False
    block = mocks.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "data-public-access-block")
    for setting in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"):
        assert block.inputs[setting] is True
    ownership = mocks.one("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "data-ownership")
    assert ownership.inputs["rule"] == {"objectOwnership": "BucketOwnerEnforced"}
    (sse,) = mocks.one(ENCRYPTION, "data-encryption").inputs["rules"]
    assert sse["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "AES256"}
    assert mocks.one(VERSIONING, "data-versioning").inputs["versioningConfiguration"] == {"status": "Enabled"}
    rule = _rule(mocks)
    assert rule["status"] == "Enabled"
    assert rule["noncurrentVersionExpiration"] == {"noncurrentDays": defaults.S3_NONCURRENT_VERSION_EXPIRY_DAYS}
    assert rule["abortIncompleteMultipartUpload"] == {"daysAfterInitiation": 7}
    assert "transitions" not in rule and "expiration" not in rule
    logging = mocks.one(LOGGING, "data-logging")
    assert logging.inputs["targetBucket"] == "logs" and logging.inputs["targetPrefix"] == "data/"
    assert warnings == []


def test_policy_denies_every_request_without_tls_on_bucket_and_objects(mocks) -> None:
    harness.run(lambda: _bucket())
    arn = mocks.one(BUCKET, "data-bucket").outputs["arn"]
    (statement,) = harness.statements(mocks.one(POLICY, "data-policy").inputs["policy"])
    assert statement["Effect"] == "Deny" and statement["Principal"] == "*" and statement["Action"] == "s3:*"
    assert statement["Resource"] == [arn, f"{arn}/*"]
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_extra_policy_statements_follow_the_tls_deny(mocks) -> None:
    allow = {"Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject"}
    harness.run(lambda: _bucket(policy_statements=[allow]))
    statements = harness.statements(mocks.one(POLICY, "data-policy").inputs["policy"])
    assert [s["Effect"] for s in statements] == ["Deny", "Allow"]
    assert statements[1] == allow


def test_children_are_named_by_role_and_parented_to_the_component(mocks) -> None:
    harness.run(lambda: _bucket(access_logs_bucket="logs"))
    assert harness.child_names(mocks, "awssystems:storage:SecureBucketComponent", "data") == [
        "data-bucket",
        "data-encryption",
        "data-lifecycle",
        "data-logging",
        "data-ownership",
        "data-policy",
        "data-public-access-block",
        "data-versioning",
    ]


def test_no_logging_child_without_an_access_logs_bucket(mocks) -> None:
    harness.run(lambda: _bucket())
    assert mocks.of_type(LOGGING) == []


def test_kms_key_switches_to_sse_kms_with_a_bucket_key(mocks) -> None:
    harness.run(lambda: _bucket(kms_key_arn=KEY_ARN))
    (sse,) = mocks.one(ENCRYPTION, "data-encryption").inputs["rules"]
    assert sse["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": KEY_ARN}
    assert sse["bucketKeyEnabled"] is True


def test_backups_move_to_glacier_and_may_expire(mocks) -> None:
    harness.run(lambda: _bucket(purpose="backups", expire_after_days=400))
    rule = _rule(mocks)
    assert rule["transitions"] == [{"days": defaults.S3_BACKUP_GLACIER_AFTER_DAYS, "storageClass": "GLACIER"}]
    assert rule["expiration"] == {"days": 400}


def test_custom_glacier_transition(mocks) -> None:
    harness.run(lambda: _bucket(purpose="backups", glacier_after_days=60))
    assert _rule(mocks)["transitions"] == [{"days": 60, "storageClass": "GLACIER"}]


def test_reports_expire_without_glacier(mocks) -> None:
    harness.run(lambda: _bucket(purpose="reports", expire_after_days=30))
    rule = _rule(mocks)
    assert rule["expiration"] == {"days": 30} and "transitions" not in rule


def test_hardened_with_logs_and_no_force_destroy_is_quiet(mocks, warnings) -> None:
    harness.run(lambda: _bucket(protection="hardened", access_logs_bucket="logs"))
    assert mocks.one(BUCKET, "data-bucket").inputs.get("forceDestroy") is False
    assert warnings == []


def test_hardened_warns_without_access_logs_and_with_force_destroy(mocks, warnings) -> None:
    harness.run(lambda: _bucket(protection="hardened", force_destroy=True))
    assert mocks.one(BUCKET, "data-bucket").inputs["forceDestroy"] is True
    assert len(warnings) == 2
    assert any("force_destroy" in w for w in warnings)
    assert any("access_logs_bucket" in w for w in warnings)


def test_standard_allows_force_destroy_quietly(mocks, warnings) -> None:
    harness.run(lambda: _bucket(force_destroy=True))
    assert mocks.one(BUCKET, "data-bucket").inputs["forceDestroy"] is True
    assert warnings == []


def test_versioning_off_suspends_and_warns(mocks, warnings) -> None:
    harness.run(lambda: _bucket(purpose="reports", versioned=False))
    assert mocks.one(VERSIONING, "data-versioning").inputs["versioningConfiguration"] == {"status": "Suspended"}
    assert len(warnings) == 1 and "versioned" in warnings[0]


def test_longer_noncurrent_expiry_is_quiet(mocks, warnings) -> None:
    harness.run(lambda: _bucket(noncurrent_version_expiry_days=365))
    assert warnings == []
    assert _rule(mocks)["noncurrentVersionExpiration"] == {"noncurrentDays": 365}


def test_shorter_noncurrent_expiry_warns(mocks, warnings) -> None:
    harness.run(lambda: _bucket(noncurrent_version_expiry_days=10))
    assert _rule(mocks)["noncurrentVersionExpiration"] == {"noncurrentDays": 10}
    assert len(warnings) == 1 and "noncurrent_version_expiry_days" in warnings[0]


def test_transform_overrides_a_child(mocks) -> None:
    transforms = {"bucket": lambda props: {**props, "tags": {"team": "retail"}}}
    harness.run(lambda: _bucket(transforms=transforms))
    assert mocks.one(BUCKET, "data-bucket").inputs["tags"] == {"team": "retail"}


def test_transform_for_an_unbuilt_child_is_rejected(mocks) -> None:
    with pytest.raises(ValueError, match="^transforms: .*logging"):
        harness.run(lambda: _bucket(transforms={"logging": lambda p: p}))


@pytest.mark.parametrize(
    ("args", "argument"),
    [
        ({"protection": "prod"}, "protection"),
        ({"purpose": "logs"}, "purpose"),
        ({"purpose": "backups", "versioned": False}, "versioned"),
        ({"noncurrent_version_expiry_days": 0}, "noncurrent_version_expiry_days"),
        ({"purpose": "backups", "glacier_after_days": -1}, "glacier_after_days"),
        ({"expire_after_days": True}, "expire_after_days"),
        ({"glacier_after_days": 30}, "glacier_after_days"),
        ({"purpose": "backups", "expire_after_days": 30}, "expire_after_days"),
        ({"purpose": "backups", "glacier_after_days": 90, "expire_after_days": 60}, "expire_after_days"),
        ({"policy_statements": [{"Action": "s3:GetObject"}]}, "policy_statements"),
    ],
)
def test_invalid_arguments_raise_naming_the_argument(args: dict[str, Any], argument: str) -> None:
    with pytest.raises(ValueError, match=f"^{argument}: "):
        SecureBucketArgs(**args)


def test_access_logs_bucket_lets_s3_logging_write_from_this_account_only(mocks):
    harness.run(lambda: SecureBucketComponent("logs", SecureBucketArgs(purpose="access-logs", protection="hardened")))
    policy = json.loads(mocks.one("aws:s3/bucketPolicy:BucketPolicy").inputs["policy"])
    delivery = next(s for s in policy["Statement"] if s.get("Sid") == "AllowServerAccessLogs")
    assert delivery["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert delivery["Action"] == "s3:PutObject"
    assert delivery["Condition"] == {"StringEquals": {"aws:SourceAccount": harness.ACCOUNT}}
