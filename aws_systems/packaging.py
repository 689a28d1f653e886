"""Reproducible Lambda archives: function code zips and dependency layers.

Pulumi redeploys a function when its ``source_code_hash`` changes, so an archive must be byte-for-byte
identical whenever its content is: entries are sorted, timestamps and permissions are fixed, and the
compression level is pinned. Only content decides the bytes, never file mtimes, creation order or umask.
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import os
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from aws_systems import defaults
from aws_systems.validation import check_one_of

DEFAULT_EXCLUDES: tuple[str, ...] = ("__pycache__", "*.pyc", "tests", ".*")
"""Glob patterns matched against every path component below a source directory."""

LAYER_EXCLUDES: tuple[str, ...] = ("__pycache__", "*.pyc")
"""Third-party packages keep their ``tests`` packages and dotfiles: some import them."""

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
"""The earliest timestamp a zip entry can hold."""

COMPRESS_LEVEL = 9
FILE_MODE = 0o644

ARCHITECTURE_PLATFORMS: Mapping[str, str] = {
    "x86_64": "manylinux2014_x86_64",
    "arm64": "manylinux2014_aarch64",
}
"""pip's ``--platform`` for each Lambda architecture."""

Installer = Callable[[list[str]], tuple[int, str]]
"""Runs pip with the given arguments (everything after ``pip``); returns its exit code and combined output."""


@dataclass(frozen=True)
class BuiltArchive:
    """A zip on disk and its hashes."""

    path: Path
    sha256_hex: str
    base64_sha256: str
    """The format Lambda's ``source_code_hash`` expects."""


def code_archive(
    name: str,
    sources: Mapping[str, Path],
    out_dir: Path,
    exclude: Sequence[str] = DEFAULT_EXCLUDES,
) -> BuiltArchive:
    """Zip ``sources`` (archive prefix -> directory or single file) into ``out_dir/<name>-<sha16>.zip``.

    A directory's files land under its prefix; a single file is stored at exactly its key, which is how
    package markers such as ``handlers/__init__.py`` are added. ``exclude`` applies to paths inside
    directories only: a file named explicitly is always included. An archive with the same content already
    in ``out_dir`` is reused.
    """
    entries = _collect(sources, exclude)
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = _write_zip(entries, out_dir)
    digest = _sha256(tmp)
    target = out_dir / f"{name}-{digest.hex()[:16]}.zip"
    _publish(tmp, target)
    return _built(target, digest)


def layer_key(requirements: Path, runtime: str, architecture: str) -> str:
    """The layer's identity: the requirements file's content, the runtime and the architecture."""
    _check_target(runtime, architecture)
    if not requirements.is_file():
        raise ValueError(f"requirements: {requirements} does not exist")
    h = hashlib.sha256()
    for part in (requirements.read_bytes(), runtime.encode(), architecture.encode()):
        h.update(len(part).to_bytes(8, "big"))
        h.update(part)
    return h.hexdigest()


def dependency_layer(
    requirements: Path,
    out_dir: Path,
    runtime: str = defaults.LAMBDA_RUNTIME,
    architecture: str = defaults.LAMBDA_ARCHITECTURE,
    build: bool = True,
    installer: Installer | None = None,
) -> BuiltArchive:
    """The dependency layer for ``requirements``, built for Lambda's platform under ``python/``.

    The hashes are always the layer key, not the zip's bytes: a preview with ``build=False`` (nothing is
    downloaded or written, as under mocks) then shows exactly what a real build deploys, and the layer
    changes only when the requirements, runtime or architecture do. An existing
    ``out_dir/layer-<key16>.zip`` is reused.
    """
    key = layer_key(requirements, runtime, architecture)
    target = out_dir / f"layer-{key[:16]}.zip"
    if build and not target.exists():
        _build_layer(requirements, target, runtime, architecture, installer or _pip)
    return _built(target, bytes.fromhex(key))


def _build_layer(requirements: Path, target: Path, runtime: str, architecture: str, installer: Installer) -> None:
    """Install the requirements for Lambda's platform into a temp dir and zip it deterministically."""
    print(f"building Lambda layer {target.name} from {requirements} ({runtime}, {architecture})", flush=True)
    with tempfile.TemporaryDirectory(prefix="layer-") as tmp:
        site = Path(tmp) / "python"
        code, output = installer(_pip_args(requirements, site, runtime, architecture))
        if code != 0:
            raise RuntimeError(f"pip install -r {requirements} failed: {_last_error_line(output)}")
        target.parent.mkdir(parents=True, exist_ok=True)
        _publish(_write_zip(_collect({"python": site}, LAYER_EXCLUDES), target.parent), target)


def _pip_args(requirements: Path, site: Path, runtime: str, architecture: str) -> list[str]:
    """Wheels only, for Lambda's CPython version and Linux architecture, whatever machine builds the layer."""
    return [
        "install",
        "--target", str(site),
        "--platform", ARCHITECTURE_PLATFORMS[architecture],
        "--implementation", "cp",
        "--python-version", runtime.removeprefix("python"),
        "--only-binary=:all:",
        "--disable-pip-version-check",
        "--no-input",
        "-r", str(requirements),
    ]  # fmt: skip


def _pip(args: list[str]) -> tuple[int, str]:
    """The default installer: this interpreter's pip."""
    proc = subprocess.run(  # noqa: S603 - fixed executable, arguments built above
        [sys.executable, "-m", "pip", *args], capture_output=True, text=True, check=False
    )
    return proc.returncode, proc.stdout + proc.stderr


def _last_error_line(output: str) -> str:
    """pip's last ``ERROR:`` line, else its last line: the one that says what went wrong."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("ERROR:")]
    return (errors or lines or ["no output"])[-1]


def _check_target(runtime: str, architecture: str) -> None:
    check_one_of("runtime", runtime, defaults.SUPPORTED_LAMBDA_RUNTIMES)
    check_one_of("architecture", architecture, ARCHITECTURE_PLATFORMS)


def _collect(sources: Mapping[str, Path], exclude: Sequence[str]) -> list[tuple[str, Path]]:
    """(archive name, file) pairs, sorted by archive name; a name claimed twice is an error."""
    if not sources:
        raise ValueError("sources: at least one directory or file is required")
    entries: dict[str, Path] = {}
    for prefix, source in sources.items():
        base = prefix.strip("/")
        if not source.exists():
            raise ValueError(f"sources: {prefix!r} points to {source}, which does not exist")
        found = [(base, source)] if source.is_file() else _walk(base, source, exclude)
        for arcname, path in found:
            if arcname in entries:
                raise ValueError(f"sources: {arcname!r} comes from both {entries[arcname]} and {path}")
            entries[arcname] = path
    if not entries:
        raise ValueError("sources: no files left to archive after excludes")
    return sorted(entries.items())


def _walk(base: str, root: Path, exclude: Sequence[str]) -> list[tuple[str, Path]]:
    """Files below ``root`` whose relative path has no excluded component."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not _excluded(d, exclude)]
        for filename in filenames:
            if not _excluded(filename, exclude):
                path = Path(dirpath) / filename
                found.append((f"{base}/{path.relative_to(root).as_posix()}".lstrip("/"), path))
    return found


def _excluded(part: str, exclude: Sequence[str]) -> bool:
    return any(fnmatch.fnmatchcase(part, pattern) for pattern in exclude)


def _write_zip(entries: list[tuple[str, Path]], directory: Path) -> Path:
    """Write the entries to a temp file in ``directory`` (same file system, so the final rename is atomic)."""
    fd, tmp_name = tempfile.mkstemp(prefix=".tmp-", suffix=".zip", dir=directory)
    try:
        with os.fdopen(fd, "wb") as raw, zipfile.ZipFile(raw, "w") as zf:
            for arcname, path in entries:
                info = zipfile.ZipInfo(arcname, date_time=ZIP_EPOCH)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.create_system = 3  # Unix, so the permission bits below are honoured
                info.external_attr = (0o100000 | FILE_MODE) << 16
                zf.writestr(info, path.read_bytes(), compresslevel=COMPRESS_LEVEL)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return Path(tmp_name)


def _publish(tmp: Path, target: Path) -> None:
    """Move the finished temp file into place, or drop it when an identical archive is already there."""
    if target.exists():
        tmp.unlink()
    else:
        tmp.chmod(FILE_MODE)
        os.replace(tmp, target)


def _sha256(path: Path) -> bytes:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.digest()


def _built(path: Path, digest: bytes) -> BuiltArchive:
    return BuiltArchive(path=path, sha256_hex=digest.hex(), base64_sha256=base64.b64encode(digest).decode())
