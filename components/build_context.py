"""What goes into a container image, as a hash: the image tag that changes exactly when the content does.

Pulumi-free, so tools and tests can compute a tag without a Pulumi runtime.
"""

from __future__ import annotations

import fnmatch
import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def context_hash(build_context: Path, dockerfile: str, platform: str, named: Mapping[str, Path] | None = None) -> str:
    """A stable hash of everything that goes into the image: the files of the build context and of the named
    contexts, the Dockerfile path and the platform. It is the image tag, so a new tag exists exactly when the content
    changed (ECR tags are immutable). ``.dockerignore`` patterns are honoured in their simple form (no ``!``
    exceptions); a file hashed that Docker ignores only costs an unneeded rebuild, never a stale image.
    """
    digest = hashlib.sha256(f"{dockerfile}\0{platform}\0".encode())
    _hash_files(digest, build_context)
    for name, directory in sorted((named or {}).items()):
        digest.update(f"--from={name}\0".encode())
        _hash_files(digest, directory)
    return digest.hexdigest()[:20]


def _hash_files(digest: Any, build_context: Path) -> None:
    ignore_file = build_context / ".dockerignore"
    patterns = [".git", ".git/*"]
    if ignore_file.is_file():
        for line in ignore_file.read_text().splitlines():
            line = line.strip().strip("/")
            if line and not line.startswith(("#", "!")):
                patterns += [line, f"{line}/*"]
    for path in sorted(p for p in build_context.rglob("*") if p.is_file()):
        relative = path.relative_to(build_context).as_posix()
        if any(fnmatch.fnmatch(relative, pattern) for pattern in patterns):
            continue
        digest.update(relative.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
