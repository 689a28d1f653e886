"""The component library stands on its own: installable, typed, free of this product's code, and its README example
runs as written."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import tomllib
import venv
from pathlib import Path

from tests import harness

ROOT = Path(__file__).resolve().parent.parent
COMPONENTS = ROOT / "aws_systems"
ALLOWED_TOP_LEVEL = {
    "aws_systems",
    "pulumi",
    "pulumi_aws",
    "pulumi_eks",
    "pulumi_kubernetes",
    "pulumi_docker_build",
    "pydantic",
}
ALLOWED_TOP_LEVEL_DISTS = {name.replace("_", "-") for name in ALLOWED_TOP_LEVEL} - {"aws-systems"}


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
        third_party = {m for m in imported_modules(path) if m not in sys.stdlib_module_names} - {"aws_systems"}
        assert {distributions.get(m, m) for m in third_party} <= extra, f"{path.name} imports {sorted(third_party)}"


def test_the_package_ships_its_type_information():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    packages = ["aws_systems", "aws_systems.cost", "aws_systems.kube_apply", "aws_systems.preflight"]
    assert project["tool"]["setuptools"]["packages"] == packages
    assert {"py.typed", "cost/prices.json"} <= set(project["tool"]["setuptools"]["package-data"]["aws_systems"])
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


def test_the_reference_describes_every_components_arguments_as_the_source_does():
    from tools import component_docs

    assert component_docs.main(["--check"]) == 0, "run python -m tools.component_docs"
    reference = component_docs.REFERENCE.read_text()
    for module in sorted(COMPONENTS.glob("*.py")):
        for name, _ in component_docs.components(module):
            assert f"**{name}**" in reference, name


def test_the_wheel_installs_in_a_clean_virtualenv_and_the_example_runs_outside_the_tree(tmp_path):
    """The example consumer program imports only the installed wheel: it is copied out of this repository first."""
    source, dist, env, example = tmp_path / "source", tmp_path / "dist", tmp_path / "venv", tmp_path / "consumer"
    shutil.copytree(COMPONENTS, source / "aws_systems", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md", "LICENSE"):  # what the build reads; it leaves this tree untouched
        shutil.copy(ROOT / name, source / name)
    build = [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--quiet", "-w", str(dist)]
    subprocess.run(build, check=True, capture_output=True, timeout=300)  # noqa: S603 - fixed arguments
    (wheel,) = dist.glob("aws_systems-*.whl")
    venv.create(env, with_pip=True)
    python = env / "bin" / "python"
    install = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel)]
    subprocess.run(install, check=True, capture_output=True, timeout=600)  # noqa: S603 - fixed arguments
    shutil.copytree(ROOT / "examples" / "consumer", example)
    clean = {"PATH": os.environ["PATH"]}  # no PYTHONPATH: nothing of this tree can be imported
    run = [str(python), "check_offline.py"]
    done = subprocess.run(run, cwd=example, capture_output=True, text=True, timeout=300, env=clean, check=False)  # noqa: S603
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "awssystems:auth:AuthComponent" in done.stdout and "20 resources" in done.stdout
