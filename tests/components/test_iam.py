"""IAM statement builders and Permissions: named actions only, exact resources, one statement per kind."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pytest

from aws_systems.iam import (
    BUCKET_READ,
    BUCKET_WRITE,
    TABLE_READ,
    TABLE_WRITE,
    Permissions,
    Statement,
    account_of,
    assume_role_policy,
    keys_through,
    policy_document,
    sibling_arn,
    source_condition,
    statement,
)
from tests import harness

TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/moves"
TABLE2 = "arn:aws:dynamodb:us-east-1:123456789012:table/trucks"
BUCKET = "arn:aws:s3:::reports"
TOPIC = "arn:aws:sns:us-east-1:123456789012:alerts"
POOL = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc"
SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:moves-db"

pytestmark = pytest.mark.usefixtures("mocks")  # Outputs resolve under the strict mocks


def rendered(output: pulumi.Output[str]) -> dict[str, Any]:
    """The JSON document an Output renders to, resolved under the mocks."""
    box: list[str] = []
    harness.run(lambda: output.apply(box.append))
    return json.loads(box[0])


def by_sid(permissions: Permissions) -> dict[str, Statement]:
    """The rendered statements of ``permissions``, keyed by Sid."""
    document = rendered(policy_document(permissions.statements()))
    assert document["Version"] == "2012-10-17"
    return {s["Sid"]: s for s in document["Statement"]}


# --- statement ----------------------------------------------------------------------------------------------
def test_statement_allows_sorted_actions_on_the_given_resources() -> None:
    out = statement(["s3:PutObject", "s3:GetObject"], ["arn:a", "arn:b"], "Objects")
    assert out == {
        "Effect": "Allow",
        "Action": ["s3:GetObject", "s3:PutObject"],
        "Resource": ["arn:a", "arn:b"],
        "Sid": "Objects",
    }


def test_statement_without_sid_has_no_sid_key() -> None:
    assert "Sid" not in statement(["sns:Publish"], [TOPIC])


@pytest.mark.parametrize("actions", [["*"], ["s3:*"], ["sns:Publish", "dynamodb:*"]])
def test_statement_refuses_wildcard_actions(actions: list[str]) -> None:
    with pytest.raises(ValueError, match="^actions: wildcards are not allowed"):
        statement(actions, ["arn:a"])


def test_statement_allows_a_named_action_with_a_wildcard_resource() -> None:
    """Resource "*" is the caller's choice for actions that require it (X-Ray, ENIs); actions stay named."""
    assert statement(["xray:PutTraceSegments"], ["*"])["Resource"] == ["*"]


def test_statement_refuses_no_resources() -> None:
    with pytest.raises(ValueError, match="^resources: at least one resource"):
        statement(["sns:Publish"], [])


def test_assume_role_policy_names_exactly_one_service() -> None:
    document = rendered(assume_role_policy("lambda.amazonaws.com"))
    assert document == {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }


@pytest.mark.parametrize("service", ["scheduler.amazonaws.com", "backup.amazonaws.com", "rds.amazonaws.com"])
def test_a_service_role_without_a_source_condition_is_refused(service) -> None:
    with pytest.raises(ValueError, match=f"^condition: a role {service} assumes needs aws:SourceAccount"):
        assume_role_policy(service)


def test_a_source_condition_binds_the_service_to_the_account_and_the_source() -> None:
    document = rendered(assume_role_policy("scheduler.amazonaws.com", source_condition("123456789012", "arn:x")))
    assert document["Statement"][0]["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "123456789012"},
        "ArnLike": {"aws:SourceArn": "arn:x"},
    }


def test_sibling_arn_and_account_of_read_an_arn_of_the_stack() -> None:
    fn = "arn:aws:lambda:eu-west-1:123456789012:function:f"
    assert harness.resolved(sibling_arn(fn, "scheduler", "schedule-group/default")) == (
        "arn:aws:scheduler:eu-west-1:123456789012:schedule-group/default"
    )
    assert harness.resolved(account_of(fn)) == "123456789012"


def test_policy_document_resolves_output_resources() -> None:
    document = rendered(policy_document([statement(["sns:Publish"], [pulumi.Output.from_input(TOPIC)])]))
    assert document["Statement"] == [{"Effect": "Allow", "Action": ["sns:Publish"], "Resource": [TOPIC]}]


# --- Permissions --------------------------------------------------------------------------------------------
def test_no_permissions_means_no_statements() -> None:
    assert Permissions().statements() == []


KEY = "arn:aws:kms:us-east-1:123456789012:key/settings"


def test_keys_are_usable_only_through_the_services_of_the_resources_they_encrypt() -> None:
    readers = by_sid(Permissions(tables_read=[TABLE], keys=[KEY]))["Keys"]
    assert readers["Action"] == ["kms:Decrypt"] and readers["Resource"] == [KEY]
    assert readers["Condition"] == {"StringLike": {"kms:ViaService": ["dynamodb.*.amazonaws.com"]}}
    writers = by_sid(Permissions(buckets_write=[BUCKET], topics=[TOPIC], keys=[KEY]))["Keys"]
    assert writers["Action"] == ["kms:Decrypt", "kms:GenerateDataKey"]
    assert writers["Condition"]["StringLike"]["kms:ViaService"] == ["s3.*.amazonaws.com", "sns.*.amazonaws.com"]


def test_keys_through_no_service_is_refused() -> None:
    with pytest.raises(ValueError, match="^services:"):
        keys_through(["kms:Decrypt"], [KEY], [], "Keys")


def test_db_secret_is_read_only() -> None:
    assert by_sid(Permissions(db_secret_arn=SECRET)) == {
        "DatabaseSecret": {
            "Sid": "DatabaseSecret",
            "Effect": "Allow",
            "Action": ["secretsmanager:GetSecretValue"],
            "Resource": [SECRET],
        }
    }


def test_tables_read_covers_tables_and_their_indexes_without_writes() -> None:
    s = by_sid(Permissions(tables_read=[TABLE, TABLE2]))["TablesRead"]
    assert s["Action"] == sorted(TABLE_READ)
    assert not [a for a in s["Action"] if a.endswith(("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"))]
    assert s["Resource"] == [TABLE, TABLE2, f"{TABLE}/index/*", f"{TABLE2}/index/*"]


def test_tables_write_adds_write_actions() -> None:
    s = by_sid(Permissions(tables_write=[TABLE]))["TablesWrite"]
    assert s["Action"] == sorted(TABLE_WRITE)
    assert {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"} <= set(
        s["Action"]
    )
    assert "dynamodb:Scan" not in s["Action"]
    assert s["Resource"] == [TABLE, f"{TABLE}/index/*"]


def test_read_and_write_tables_are_separate_statements() -> None:
    statements = by_sid(Permissions(tables_read=[TABLE2], tables_write=[TABLE]))
    assert statements["TablesRead"]["Resource"] == [TABLE2, f"{TABLE2}/index/*"]
    assert statements["TablesWrite"]["Resource"] == [TABLE, f"{TABLE}/index/*"]


@pytest.mark.parametrize(
    ("field", "sid", "actions"),
    [("buckets_read", "BucketsRead", BUCKET_READ), ("buckets_write", "BucketsWrite", BUCKET_WRITE)],
)
def test_buckets_grant_objects_only(field: str, sid: str, actions: list[str]) -> None:
    s = by_sid(Permissions(**{field: [BUCKET]}))[sid]
    assert s["Action"] == sorted(actions)
    assert s["Resource"] == [f"{BUCKET}/*"]


def test_bucket_read_cannot_write() -> None:
    s = by_sid(Permissions(buckets_read=[BUCKET]))["BucketsRead"]
    assert s["Action"] == ["s3:GetObject"]


def test_topics_may_only_be_published_to() -> None:
    s = by_sid(Permissions(topics=[TOPIC]))["Topics"]
    assert s["Action"] == ["sns:Publish"] and s["Resource"] == [TOPIC]


def test_user_pool_actions_are_prefixed_and_scoped_to_the_pool() -> None:
    s = by_sid(Permissions(user_pool_arn=POOL, user_pool_actions=["AdminGetUser", "AdminConfirmSignUp"]))["UserPool"]
    assert s["Action"] == ["cognito-idp:AdminConfirmSignUp", "cognito-idp:AdminGetUser"]
    assert s["Resource"] == [POOL]


def test_user_pool_without_actions_grants_nothing() -> None:
    assert Permissions(user_pool_arn=POOL).statements() == []


def test_user_pool_actions_need_the_pool() -> None:
    with pytest.raises(ValueError, match="^user_pool_actions: needs user_pool_arn"):
        Permissions(user_pool_actions=["AdminGetUser"])


def test_user_pool_wildcard_action_is_refused() -> None:
    with pytest.raises(ValueError, match="^actions: wildcards"):
        Permissions(user_pool_arn=POOL, user_pool_actions=["*"]).statements()


def test_every_kind_gives_one_statement_in_a_stable_order() -> None:
    permissions = Permissions(
        db_secret_arn=SECRET,
        tables_read=[TABLE2],
        tables_write=[TABLE],
        buckets_read=[BUCKET],
        buckets_write=[BUCKET],
        topics=[TOPIC],
        user_pool_arn=POOL,
        user_pool_actions=["AdminGetUser"],
    )
    sids = [s["Sid"] for s in permissions.statements()]
    assert sids == ["DatabaseSecret", "TablesRead", "TablesWrite", "BucketsRead", "BucketsWrite", "Topics", "UserPool"]
