"""Pull requests preview only the stacks a change can affect."""

import pytest

from tools.affected_stacks import affected

STACKS = ["dev", "prod", "qa", "stage"]


@pytest.mark.parametrize(
    ("changed", "expected"),
    [
        (["Pulumi.dev.yaml"], ["dev"]),
        (["Pulumi.prod.yaml", "Pulumi.stage.yaml"], ["prod", "stage"]),
        (["aws_systems/auth.py"], STACKS),
        (["Pulumi.dev.yaml", "handlers/moving/moves/api.py"], STACKS),
        (["Pulumi.yaml"], STACKS),
        (["requirements-dev.txt"], STACKS),
        (["README.md", "tests/test_stacks.py", "bench/cold_start.py", ".github/workflows/deploy.yml"], []),
        (["Pulumi.unknown.yaml"], []),
        ([], []),
    ],
)
def test_affected_stacks(changed, expected):
    assert affected(changed, STACKS) == expected
