"""Each Lambda service's code archive works on its own: every handler it runs imports from the archive alone.

In the cloud a function sees only its own archive (plus the dependency layer), so code that imports another service's
package works in one process on a laptop and fails at the first invocation in AWS. The archive is extracted and each
handler imported in a fresh interpreter that cannot see the repository.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile

import pytest

from architectures import SYSTEMS
from architectures.archives import service_archive
from architectures.spec import service_handlers

LAMBDA_SERVICES = [
    (system.name, service.name)
    for system in SYSTEMS.values()
    for service in system.services
    if service.runtime == "lambda" and service_handlers(system, service)
]

IMPORT_EACH = """
import importlib, json, sys
sys.path.insert(0, sys.argv[1])
for path in json.loads(sys.argv[2]):
    module, _, function = path.rpartition(".")
    assert callable(getattr(importlib.import_module(module), function)), path
"""


@pytest.mark.parametrize(("system_name", "service_name"), LAMBDA_SERVICES)
def test_the_archive_imports_every_handler_of_its_service(tmp_path, system_name, service_name):
    system = SYSTEMS[system_name]
    service = system.service(service_name)
    archive = service_archive(system, service, tmp_path / "build")
    code = tmp_path / "code"
    with zipfile.ZipFile(archive.path) as zipped:
        zipped.extractall(code)
    handlers = service_handlers(system, service)
    # -I: no current directory, PYTHONPATH or user site on the path, so only the archive provides `handlers`.
    result = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-I", "-c", IMPORT_EACH, str(code), json.dumps(handlers)],
        cwd=tmp_path, capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, f"{system_name}/{service_name}: {result.stderr.strip().splitlines()[-1:]}"


def test_a_hyphenated_service_is_packaged_where_its_handlers_are_imported_from(tmp_path, monkeypatch):
    from architectures import archives
    from architectures.spec import Group, JwtAuthorizer, Route, Service, System, handler_module

    system = System(
        name="demo", title="Demo", groups=(Group(name="staff", precedence=0),), authorizer=JwtAuthorizer(),
        services=(Service(name="price-list", routes=(Route(method="GET", path="/prices"),)),),
    )  # fmt: skip
    service = system.service("price-list")
    root = tmp_path / "repo"
    for path in ("handlers/__init__.py", "handlers/shared/__init__.py", "handlers/demo/__init__.py",
                 "handlers/demo/price_list/__init__.py", "handlers/demo/price_list/api.py"):  # fmt: skip
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text("handler = print\n" if path.endswith("api.py") else "")
    monkeypatch.setattr(archives, "REPO_ROOT", root)
    monkeypatch.setattr(archives, "HANDLERS", root / "handlers")
    archive = service_archive(system, service, tmp_path / "build")
    with zipfile.ZipFile(archive.path) as zipped:
        names = set(zipped.namelist())
    module = handler_module(system, service, service.api_handler).rpartition(".")[0]
    assert module == "handlers.demo.price_list.api"
    assert f"{module.replace('.', '/')}.py" in names
