"""Customer-managed KMS keys: one way to make them, so every component's key rotates and is recoverable alike."""

from __future__ import annotations

import pulumi_aws as aws

from aws_systems import defaults
from aws_systems._base import Component
from aws_systems.defaults import Protection


def rotating_key(component: Component, role: str, description: str, protection: Protection) -> aws.kms.Key:
    """A symmetric key child of ``component``, named and overridable by ``role``.

    Rotation is on (CKV_AWS_7) and a deleted key stays recoverable for
    ``defaults.kms_key_deletion_window_days(protection)`` days. The key policy is the AWS default (the account's
    IAM policies decide who may use it); a component needing more attaches an ``aws.kms.KeyPolicy`` itself.
    """
    return component._child(
        aws.kms.Key,
        role,
        description=description,
        enable_key_rotation=True,
        deletion_window_in_days=defaults.kms_key_deletion_window_days(protection),
    )
