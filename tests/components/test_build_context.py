"""The image tag counts exactly the files Docker sends: ``.dockerignore`` read with Docker's rules, exceptions too."""

from __future__ import annotations

from pathlib import Path

import pytest

from aws_systems.build_context import IgnoreRules, context_hash, read_dockerignore, sent_files


def ignored(lines: str, path: str) -> bool:
    return IgnoreRules.parse(read_dockerignore(lines)).ignores(path)


def make(root: Path, *files: str) -> Path:
    for name in files:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(f"{name}\n")
    return root


@pytest.mark.parametrize(
    ("lines", "path", "expected"),
    [
        ("*", "README.md", True),
        ("*", "handlers/shop/app.py", True),  # the pattern matches the parent directory
        ("*\n!handlers", "handlers/shop/app.py", False),
        ("*\n!handlers", "handlers", False),
        ("*\n!handlers", "handlersx/app.py", True),
        ("*.md\n!README.md", "README.md", False),  # the last matching line decides
        ("!README.md\n*.md", "README.md", True),
        ("*.md\n!README.md", "NOTES.md", True),
        ("docs\n!docs/keep.txt", "docs/keep.txt", False),
        ("docs\n!docs/keep.txt", "docs/other.txt", True),
        ("build\n!**/keep.txt", "build/deep/keep.txt", False),
        ("*.log", "a.log", True),
        ("*.log", "logs/a.log", False),  # '*' stays within one segment
        ("**/*.log", "logs/deep/a.log", True),
        ("**/*.log", "a.log", True),  # '**' may match no segment at all
        ("**/__pycache__", "__pycache__/m.pyc", True),
        ("**/__pycache__", "shop/__pycache__/m.pyc", True),
        ("foo/**", "foo/x/y", True),
        ("foo/**", "foo", False),
        ("**foo", "barfoo", True),
        ("a?c", "abc", True),
        ("a?c", "a/c", False),
        ("[a-c]x", "bx", True),
        ("[a-c]x", "dx", False),
        ("\\*", "*", True),
        ("\\*", "a", False),
        ("/build/", "build/out.bin", True),  # a leading or trailing '/' changes nothing
        ("./build", "build/out.bin", True),
        ("# a comment\n\n  \n", "# a comment", False),
        ("  !  keep  \nkeep", "keep", True),
        ("\ufeffsecret", "secret", True),  # a byte order mark on the first line
        ("a.b", "axb", False),  # '.' is not a wildcard
    ],
)
def test_dockerignore_follows_dockers_rules(lines: str, path: str, expected: bool) -> None:
    assert ignored(lines, path) is expected


def test_an_exception_alone_is_refused() -> None:
    with pytest.raises(ValueError, match=r"^\.dockerignore: '!' alone is not a pattern$"):
        ignored("!", "a")


def test_a_context_at_the_repository_root_sends_only_what_the_exceptions_name(tmp_path: Path) -> None:
    root = make(tmp_path, "README.md", ".venv/lib/site.py", "handlers/shop/users/Dockerfile", "handlers/app.py",
                "handlers/shop/__pycache__/app.pyc", "architectures/spec.py", ".git/HEAD")  # fmt: skip
    (root / ".dockerignore").write_text("*\n!handlers\n!architectures\n**/__pycache__\n")
    assert sent_files(root) == ["architectures/spec.py", "handlers/app.py", "handlers/shop/users/Dockerfile"]
    tag = context_hash(root, "handlers/shop/users/Dockerfile", "linux/amd64")
    (root / "README.md").write_text("changed\n")
    (root / ".venv/lib/site.py").write_text("changed\n")
    (root / "handlers/shop/__pycache__/app.pyc").write_text("changed\n")
    assert context_hash(root, "handlers/shop/users/Dockerfile", "linux/amd64") == tag
    (root / "architectures/spec.py").write_text("changed\n")
    assert context_hash(root, "handlers/shop/users/Dockerfile", "linux/amd64") != tag


def test_the_dockerfile_counts_even_when_ignored(tmp_path: Path) -> None:
    root = make(tmp_path, "Dockerfile", "app/main.py")
    (root / ".dockerignore").write_text("*\n!app\n")
    assert sent_files(root) == ["app/main.py"]
    assert sent_files(root, keep="Dockerfile") == ["Dockerfile", "app/main.py"]
    tag = context_hash(root, "Dockerfile", "linux/amd64")
    (root / "Dockerfile").write_text("FROM scratch\n")
    assert context_hash(root, "Dockerfile", "linux/amd64") != tag


def test_git_is_left_out_unless_an_exception_names_it(tmp_path: Path) -> None:
    root = make(tmp_path, ".git/HEAD", "app.py")
    assert sent_files(root) == ["app.py"]
    (root / ".dockerignore").write_text("!.git\n")
    assert sent_files(root) == [".dockerignore", ".git/HEAD", "app.py"]
