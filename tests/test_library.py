"""The component library stands on its own: installable, typed, free of this product's code, and its README example
runs as written."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

from tests import harness

ROOT = Path(__file__).resolve().parent.parent
COMPONENTS = ROOT / "components"
ALLOWED_TOP_LEVEL = {
    "components",
    "pulumi",
    "pulumi_aws",
    "pulumi_eks",
    "pulumi_kubernetes",
    "pulumi_docker_build",
    "pydantic",
}
ALLOWED_TOP_LEVEL_DISTS = {name.replace("_", "-") for name in ALLOWED_TOP_LEVEL} - {"components"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_components_import_only_the_sdks_and_the_standard_library():
    import sys

    for path in sorted(COMPONENTS.glob("*.py")):
        third_party = {m for m in imported_modules(path) if m not in sys.stdlib_module_names}
        assert third_party <= ALLOWED_TOP_LEVEL, f"{path.name} imports {sorted(third_party - ALLOWED_TOP_LEVEL)}"


def test_the_preflight_imports_only_what_its_extra_declares():
    import sys

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    extra = {re.split(r"[<>=\[ ]", d)[0] for d in project["project"]["optional-dependencies"]["preflight"]}
    distributions = {
        "pulumi_policy": "pulumi-policy",
        "cfnlint": "cfn-lint",
        "kubernetes_validate": "kubernetes-validate",
    }
    for path in sorted((COMPONENTS / "preflight").glob("*.py")):
        third_party = {m for m in imported_modules(path) if m not in sys.stdlib_module_names} - {"components"}
        assert {distributions.get(m, m) for m in third_party} <= extra, f"{path.name} imports {sorted(third_party)}"


def test_the_package_ships_its_type_information():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    packages = ["components", "components.cost", "components.kube_apply", "components.preflight"]
    assert project["tool"]["setuptools"]["packages"] == packages
    assert {"py.typed", "cost/prices.json"} <= set(project["tool"]["setuptools"]["package-data"]["components"])
    assert (COMPONENTS / "py.typed").exists()
    declared = {re.split(r"[<>=\[ ]", d)[0] for d in project["project"]["dependencies"]}
    imported = {m.replace("_", "-") for p in COMPONENTS.glob("*.py") for m in imported_modules(p)}
    assert imported & ALLOWED_TOP_LEVEL_DISTS <= declared


def test_readme_example_runs_under_mocks(mocks):
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Using the components in your own program", 1)[1]
    example = re.search(r"```python\n(.*?)```", section, re.S)
    assert example, "the README lost its component example"
    harness.run(lambda: exec(compile(example.group(1), "README.md", "exec"), {}))  # noqa: S102 - our own README
    assert mocks.one("awssystems:auth:AuthComponent", "store")
    assert mocks.one("aws:cloudwatch/eventBus:EventBus")
