"""Explicit AWS names for children whose AWS name limit is shorter than auto-naming needs.

The provider's auto-naming adds 8 random characters to the logical name; for load balancers, target groups, IAM roles
and Lambda functions that overruns AWS's limit once an instance name is long, so those children get a name from
:func:`fitted_name` instead.
"""

from __future__ import annotations

import hashlib

import pulumi

# Longest names AWS accepts.
LOAD_BALANCER_NAME_LIMIT = 32  # load balancers and target groups
IAM_ROLE_NAME_LIMIT = 64
LAMBDA_FUNCTION_NAME_LIMIT = 64
_NAME_HASH_CHARS = 8


def fitted_name(logical: str, limit: int, *replaced_by: object) -> str:
    """An explicit AWS name for the child ``logical`` that fits ``limit`` whatever the instance name.

    It is the logical name, cut to fit, then ``-`` and 8 hex characters of a hash of the project, the stack, the
    whole logical name and ``replaced_by``. So it is stable across runs, two stacks in one account never collide
    (which auto-naming's random suffix guaranteed), and two long names that share a beginning stay apart. Pass in
    ``replaced_by`` the plain values whose change makes AWS replace the resource: the replacement then gets a new
    name and can be created before the old one is deleted.
    """
    if limit <= _NAME_HASH_CHARS + 1:
        raise ValueError(f"limit: must leave room for the {_NAME_HASH_CHARS}-character hash (got {limit})")
    key = "\0".join(str(part) for part in (pulumi.get_project(), pulumi.get_stack(), logical, *replaced_by))
    digest = hashlib.sha256(key.encode()).hexdigest()[:_NAME_HASH_CHARS]
    head = logical[: limit - _NAME_HASH_CHARS - 1].rstrip("-_")
    return f"{head}-{digest}"
