"""Lambda archives are reproducible, exclude build litter, and layers build only when asked."""

from __future__ import annotations

import base64
import hashlib
import os
import zipfile
from pathlib import Path

import pytest

from aws_systems import packaging
from aws_systems.packaging import code_archive, dependency_layer, layer_key


def _write(root: Path, files: dict[str, str], mtime: int) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        os.utime(path, (mtime, mtime))


FILES = {
    "app.py": "print('hi')\n",
    "pkg/__init__.py": "",
    "pkg/logic.py": "X = 1\n",
}


def _tree(root: Path, order: list[str], mtime: int) -> Path:
    _write(root, {rel: FILES[rel] for rel in order}, mtime)
    return root


def test_same_content_gives_identical_bytes_whatever_order_and_mtime(tmp_path: Path) -> None:
    a = _tree(tmp_path / "a", list(FILES), mtime=1_000_000_000)
    b = _tree(tmp_path / "b", list(reversed(FILES)), mtime=1_700_000_000)
    (b / "app.py").chmod(0o755)
    first = code_archive("fn", {"handlers/svc": a}, tmp_path / "out1")
    second = code_archive("fn", {"handlers/svc": b}, tmp_path / "out2")
    assert first.path.read_bytes() == second.path.read_bytes()
    assert first.sha256_hex == second.sha256_hex == hashlib.sha256(first.path.read_bytes()).hexdigest()
    assert first.base64_sha256 == base64.b64encode(bytes.fromhex(first.sha256_hex)).decode()
    assert first.path.name == f"fn-{first.sha256_hex[:16]}.zip"


def test_entries_are_sorted_with_fixed_time_mode_and_compression(tmp_path: Path) -> None:
    src = _tree(tmp_path / "src", list(FILES), mtime=1_600_000_000)
    marker = tmp_path / "init.py"
    marker.write_text("")
    built = code_archive("fn", {"handlers/svc": src, "handlers/__init__.py": marker}, tmp_path / "out")
    with zipfile.ZipFile(built.path) as zf:
        infos = zf.infolist()
    names = [i.filename for i in infos]
    assert names == sorted(names)
    assert names == ["handlers/__init__.py", "handlers/svc/app.py", "handlers/svc/pkg/__init__.py",
                     "handlers/svc/pkg/logic.py"]  # fmt: skip
    for info in infos:
        assert info.date_time == (1980, 1, 1, 0, 0, 0)
        assert (info.external_attr >> 16) & 0o777 == 0o644
        assert info.compress_type == zipfile.ZIP_DEFLATED


def test_excludes_caches_tests_and_dotfiles(tmp_path: Path) -> None:
    src = tmp_path / "src"
    _write(src, {
        "app.py": "x",
        "__pycache__/app.cpython-312.pyc": "x",
        "stale.pyc": "x",
        "tests/test_app.py": "x",
        ".env": "SECRET=1",
        ".git/config": "x",
        "sub/__pycache__/m.pyc": "x",
        "sub/m.py": "x",
    }, mtime=1)  # fmt: skip
    built = code_archive("fn", {"svc": src}, tmp_path / "out")
    assert zipfile.ZipFile(built.path).namelist() == ["svc/app.py", "svc/sub/m.py"]


def test_custom_excludes_replace_the_defaults(tmp_path: Path) -> None:
    src = tmp_path / "src"
    _write(src, {"app.py": "x", "notes.md": "x", "tests/t.py": "x"}, mtime=1)
    built = code_archive("fn", {"svc": src}, tmp_path / "out", exclude=("*.md",))
    assert zipfile.ZipFile(built.path).namelist() == ["svc/app.py", "svc/tests/t.py"]


def test_a_changed_file_gives_a_new_hash_and_file(tmp_path: Path) -> None:
    src = _tree(tmp_path / "src", list(FILES), mtime=1)
    before = code_archive("fn", {"svc": src}, tmp_path / "out")
    (src / "pkg" / "logic.py").write_text("X = 2\n")
    after = code_archive("fn", {"svc": src}, tmp_path / "out")
    assert after.sha256_hex != before.sha256_hex
    assert before.path.exists() and after.path.exists() and before.path != after.path


def test_an_existing_archive_is_reused_and_no_temp_files_remain(tmp_path: Path) -> None:
    src = _tree(tmp_path / "src", list(FILES), mtime=1)
    out = tmp_path / "deep" / "out"
    first = code_archive("fn", {"svc": src}, out)
    mtime = first.path.stat().st_mtime_ns
    second = code_archive("fn", {"svc": src}, out)
    assert second == first
    assert first.path.stat().st_mtime_ns == mtime
    assert [p.name for p in out.iterdir()] == [first.path.name]


def test_a_missing_source_names_it(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"^sources: 'handlers/gone' points to .*gone"):
        code_archive("fn", {"handlers/gone": tmp_path / "gone"}, tmp_path / "out")


def test_two_sources_claiming_one_path_are_rejected(tmp_path: Path) -> None:
    src = _tree(tmp_path / "src", ["app.py"], mtime=1)
    with pytest.raises(ValueError, match=r"^sources: 'svc/app.py' comes from both"):
        code_archive("fn", {"svc": src, "svc/app.py": src / "app.py"}, tmp_path / "out")


def test_nothing_to_archive_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="^sources: at least one"):
        code_archive("fn", {}, tmp_path / "out")
    src = tmp_path / "src"
    _write(src, {"tests/t.py": "x"}, mtime=1)
    with pytest.raises(ValueError, match="^sources: no files left"):
        code_archive("fn", {"svc": src}, tmp_path / "out")


# --- dependency layer ---------------------------------------------------------------------------------------


@pytest.fixture
def requirements(tmp_path: Path) -> Path:
    path = tmp_path / "requirements.txt"
    path.write_text("pymysql==1.2.4\n")
    return path


def test_layer_key_is_stable_and_depends_on_every_input(requirements: Path) -> None:
    key = layer_key(requirements, "python3.12", "arm64")
    assert key == layer_key(requirements, "python3.12", "arm64")
    assert key != layer_key(requirements, "python3.13", "arm64")
    assert key != layer_key(requirements, "python3.12", "x86_64")
    requirements.write_text("pymysql==1.2.5\n")
    assert key != layer_key(requirements, "python3.12", "arm64")


def test_build_false_creates_nothing_and_hashes_the_key(tmp_path: Path, requirements: Path) -> None:
    def installer(args: list[str]) -> tuple[int, str]:
        raise AssertionError("must not install")

    out = tmp_path / "layers"
    layer = dependency_layer(requirements, out, build=False, installer=installer)
    key = layer_key(requirements, "python3.12", "arm64")
    assert not out.exists()
    assert layer.path == out / f"layer-{key[:16]}.zip"
    assert layer.sha256_hex == key
    assert layer.base64_sha256 == base64.b64encode(bytes.fromhex(key)).decode()


def _fake_pip(calls: list[list[str]]) -> packaging.Installer:
    def installer(args: list[str]) -> tuple[int, str]:
        calls.append(args)
        target = Path(args[args.index("--target") + 1])
        (target / "pymysql").mkdir(parents=True)
        (target / "pymysql" / "__init__.py").write_text("VERSION = 1\n")
        (target / "pymysql" / "__pycache__").mkdir()
        (target / "pymysql" / "__pycache__" / "x.pyc").write_text("x")
        return 0, "Successfully installed pymysql"

    return installer


def test_build_true_installs_for_lambdas_platform_under_python(tmp_path: Path, requirements: Path) -> None:
    calls: list[list[str]] = []
    out = tmp_path / "layers"
    layer = dependency_layer(requirements, out, runtime="python3.12", architecture="x86_64",
                             installer=_fake_pip(calls))  # fmt: skip
    assert zipfile.ZipFile(layer.path).namelist() == ["python/pymysql/__init__.py"]
    assert layer.sha256_hex == layer_key(requirements, "python3.12", "x86_64")
    (args,) = calls
    flags = dict(zip(args, args[1:], strict=False))
    assert args[0] == "install"
    assert Path(flags["--target"]).name == "python"
    assert flags["--platform"] == "manylinux2014_x86_64"
    assert flags["--implementation"] == "cp"
    assert flags["--python-version"] == "3.12"
    assert flags["-r"] == str(requirements)
    assert "--only-binary=:all:" in args
    assert not Path(flags["--target"]).exists(), "the temporary install dir is removed"
    assert [p.name for p in out.iterdir()] == [layer.path.name]


def test_an_existing_layer_is_not_rebuilt(tmp_path: Path, requirements: Path) -> None:
    calls: list[list[str]] = []
    first = dependency_layer(requirements, tmp_path, installer=_fake_pip(calls))
    second = dependency_layer(requirements, tmp_path, installer=_fake_pip(calls))
    assert first == second
    assert len(calls) == 1
    assert "--platform" in calls[0] and "manylinux2014_aarch64" in calls[0]  # the arm64 default


def test_a_failed_pip_names_the_file_and_pips_last_error(tmp_path: Path, requirements: Path) -> None:
    def failing(args: list[str]) -> tuple[int, str]:
        return 1, ("Collecting nope\nERROR: Could not find a version that satisfies the requirement nope\n"
                   "ERROR: No matching distribution found for nope\n\n")  # fmt: skip

    with pytest.raises(RuntimeError) as err:
        dependency_layer(requirements, tmp_path / "out", installer=failing)
    message = str(err.value)
    assert "\n" not in message
    assert str(requirements) in message
    assert message.endswith("ERROR: No matching distribution found for nope")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"architecture": "aarch64"}, "^architecture: must be one of x86_64, arm64"),
        ({"runtime": "python3.9"}, "^runtime: must be one of python3.12"),
    ],
)
def test_unknown_runtime_or_architecture_is_rejected(requirements: Path, tmp_path: Path, kwargs, match) -> None:
    with pytest.raises(ValueError, match=match):
        dependency_layer(requirements, tmp_path, build=False, **kwargs)


def test_a_missing_requirements_file_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="^requirements: .* does not exist"):
        dependency_layer(tmp_path / "nope.txt", tmp_path, build=False)
