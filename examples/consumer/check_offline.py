"""Run this program under Pulumi's mocks, with no AWS account and no Pulumi CLI: every component is built and
validated as ``pulumi preview`` would, and the resources it would create are listed.

    python check_offline.py    # in a virtualenv with requirements.txt installed
"""

from __future__ import annotations

import runpy
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pulumi


class ListingMocks(pulumi.runtime.Mocks):
    """Every resource gets its inputs as its state, and an id and ARN made from its name."""

    def __init__(self) -> None:
        self.created: list[str] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.created.append(args.typ)
        state = {"arn": f"arn:aws:mock:us-east-1:123456789012:{args.name}", "name": args.name, **args.inputs}
        return f"{args.name}-id", state

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return FUNCTION_RESULTS.get(args.token, {}), None


FUNCTION_RESULTS: dict[str, dict[str, Any]] = {
    "aws:index/getCallerIdentity:getCallerIdentity": {
        "accountId": "123456789012",
        "userId": "mock",
        "arn": "arn:aws:iam::123456789012:user/mock",
    },
    "aws:index/getRegion:getRegion": {"name": "us-east-1", "region": "us-east-1", "id": "us-east-1"},
    "aws:index/getPartition:getPartition": {"partition": "aws", "dnsSuffix": "amazonaws.com"},
}
"""What the AWS provider's data sources answer offline, by function token."""


def main() -> int:
    mocks = ListingMocks()
    pulumi.runtime.set_mocks(mocks, project="aws-systems-consumer", stack="offline", preview=True)
    program = Path(__file__).with_name("__main__.py")
    pulumi.runtime.test(lambda: runpy.run_path(str(program), run_name="__main__"))()
    for typ, count in sorted(Counter(mocks.created).items()):
        print(f"{count:>3}  {typ}")
    print(f"{len(mocks.created)} resources")
    return 0 if mocks.created else 1


if __name__ == "__main__":
    sys.exit(main())
