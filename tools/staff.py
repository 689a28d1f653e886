"""Add a member of staff to a system whose pool takes no self sign-up (the store's, retail): nobody can create a staff
account but an admin running this with their own AWS credentials.

    pulumi stack output --json > outputs.json
    python -m tools.staff --outputs outputs.json --region us-east-1 retail ana@store.pe sellers
    python -m tools.staff --endpoints .local/endpoints.json retail ana@store.pe sellers   # the local runtime

The account is created confirmed, with its email verified and a generated password that is printed once, here, for
the admin to hand over (Cognito sends nothing). The group must be one the system declares.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from architectures import SYSTEMS
from local.cognito import add_user
from tools.endpoints import Endpoints, EndpointsError, from_stack_outputs, load
from tools.smoke_users import generated_password


class StaffRefused(ValueError):
    """The request names something the system does not have; the message says what."""


def add_staff(endpoints: Endpoints, system: str, email: str, group: str) -> str:
    """Create the account in ``group`` and return its generated password."""
    declared = SYSTEMS.get(system)
    if declared is None or system not in endpoints.systems:
        raise StaffRefused(f"system {system!r} is not in this target; it has: {', '.join(endpoints.systems)}")
    groups = [g.name for g in declared.groups]
    if group not in groups:
        raise StaffRefused(f"group {group!r} is not one of {system}'s groups: {', '.join(groups)}")
    password = generated_password()
    add_user(endpoints.client("cognito-idp"), endpoints.systems[system].user_pool_id, email, password, group)
    return password


def _target(args: argparse.Namespace) -> Endpoints:
    if args.endpoints:
        return load(Path(args.endpoints))
    try:
        outputs = json.loads(Path(args.outputs).read_text())
    except (OSError, ValueError) as e:
        raise EndpointsError(f"{args.outputs}: {e}") from None
    return from_stack_outputs(outputs, args.region)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.staff", description=__doc__.split("\n\n")[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--endpoints", help="an endpoints file (the local runtime's, or a cloud test's)")
    where.add_argument("--outputs", help="a stack's outputs (pulumi stack output --json)")
    parser.add_argument("--region", default="us-east-1", help="the stack's region (with --outputs)")
    parser.add_argument("system", choices=sorted(SYSTEMS))
    parser.add_argument("email")
    parser.add_argument("group")
    args = parser.parse_args(argv)
    try:
        password = add_staff(_target(args), args.system, args.email, args.group)
    except (StaffRefused, EndpointsError) as e:
        print(f"refused: {e}", file=sys.stderr)
        return 2
    except Exception as e:  # Cognito's refusal (an existing user, a bad email): one line, no traceback
        print(f"failed: {type(e).__name__}: {' '.join(str(e).split())}", file=sys.stderr)
        return 1
    print(f"added {args.email} to {args.system}'s {args.group}; password (shown once): {password}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
