"""What each service's code archive holds: its own package, its system's shared modules, the shared handler code and
the declarations its handlers bind to. Other services' code stays out, so an import across services fails in the tests
(``tests/test_archives.py``) rather than at a function's first invocation in AWS."""

from __future__ import annotations

import hashlib
from pathlib import Path

from architectures import spec
from aws_systems.packaging import BuiltArchive, code_archive

REPO_ROOT = Path(__file__).resolve().parent.parent
HANDLERS = REPO_ROOT / "handlers"
DECLARATIONS = {
    f"architectures/{name}": REPO_ROOT / "architectures" / name
    for name in ("__init__.py", "spec.py", "moving.py", "shop.py", "retail.py")
}
"""The systems' declarations, which the handlers bind their routes and subscriptions to (pydantic only: the Pulumi
half of ``architectures/`` stays out of the archives)."""


def service_archive(system: spec.System, service: spec.Service, build_dir: Path) -> BuiltArchive:
    """The service's deterministic code archive: its own package, the system's top-level modules (e.g. the event
    contracts its services share), the shared handler code and the declarations. Other services' code stays out."""
    folder = spec.service_folder(system, service)
    system_dir = HANDLERS / system.name
    system_modules = {f"handlers/{system.name}/{p.name}": p for p in sorted(system_dir.glob("*.py"))}
    return code_archive(
        f"{system.name}-{service.name}",
        {
            **DECLARATIONS,
            "handlers/__init__.py": HANDLERS / "__init__.py",
            "handlers/shared": HANDLERS / "shared",
            **system_modules,
            folder: REPO_ROOT / folder,
        },
        build_dir,
    )


def directory_hash(directory: Path) -> str:
    """A hash of a directory's files (names and contents); empty when it does not exist."""
    digest = hashlib.sha256()
    if directory.is_dir():
        for path in sorted(p for p in directory.rglob("*") if p.is_file()):
            digest.update(path.relative_to(directory).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()
