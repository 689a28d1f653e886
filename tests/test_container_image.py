"""The Users container holds what its code imports: its Dockerfile's COPY lines are played into a folder, as the
build would, and the server module is imported from that folder alone (no Docker engine needed)."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from architectures.cloud import HANDLERS, REPO_ROOT

DOCKERFILE = HANDLERS / "shop" / "users" / "Dockerfile"
NAMED_CONTEXTS = {"declarations": REPO_ROOT / "architectures"}
"""What ``architectures/cloud.py`` passes as the image's named build contexts."""


def play_copies(dockerfile: Path, root: Path) -> None:
    """Apply the final stage's COPY lines from the build context (and named contexts) under ``root``."""
    final_stage = dockerfile.read_text().split("\nFROM ")[-1]
    for line in final_stage.splitlines():
        if not line.startswith("COPY "):
            continue
        words = shlex.split(line)
        source_from = next((w.split("=", 1)[1] for w in words if w.startswith("--from=")), None)
        *sources, target = [w for w in words[1:] if not w.startswith("--")]
        if source_from not in (None, *NAMED_CONTEXTS):
            continue  # another stage's output (the installed dependencies)
        context = HANDLERS if source_from is None else NAMED_CONTEXTS[source_from]
        for source in sources:
            place(context / source, root / target.lstrip("/"), into=target.endswith("/"))


def place(source: Path, target: Path, *, into: bool) -> None:
    destination = target / source.name if into else target
    destination.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.copytree(source, destination, ignore=shutil.ignore_patterns("__pycache__", "tests"))
    else:
        shutil.copy(source, destination)


def test_the_users_image_imports_its_server_and_its_routes(tmp_path):
    play_copies(DOCKERFILE, tmp_path)
    app = tmp_path / "app"
    code = "import sys; sys.path.insert(0, sys.argv[1]); import handlers.shop.users.server, handlers.shop.users.api"
    # -I: no current directory or PYTHONPATH on the path, so only the image's files provide the packages.
    result = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-I", "-c", code, str(app)], capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode == 0, result.stderr.strip().splitlines()[-1:]
    assert (app / "architectures" / "shop.py").is_file()
