"""The code stays easy to read: no source file over 500 lines and no function over 60, in the code that ships and
the code that runs it (tests are left out: a table of cases may run long).

``NOT_YET`` lists what still breaks a bar, to be split; it may only shrink: a new breach fails, and so does an entry
that no longer breaks its bar (remove it)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIRS = ("architectures", "aws_systems", "handlers", "local", "program", "policy", "tools")
MAX_FILE_LINES = 500
MAX_FUNCTION_LINES = 60

NOT_YET = frozenset({
})  # fmt: skip


def source_files() -> list[Path]:
    return sorted(p for d in SOURCE_DIRS for p in (ROOT / d).rglob("*.py") if "__pycache__" not in p.parts)


def breaches() -> set[str]:
    """Each file over the file bar, and each function over the function bar (``path:function``)."""
    found = set()
    for path in source_files():
        name, source = path.relative_to(ROOT).as_posix(), path.read_text()
        if len(source.splitlines()) > MAX_FILE_LINES:
            found.add(name)
        functions = [
            n
            for n in ast.walk(ast.parse(source, filename=name))
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
        ]
        found |= {
            f"{name}:{f.name}" for f in functions if (f.end_lineno or f.lineno) - f.lineno + 1 > MAX_FUNCTION_LINES
        }
    return found


def test_there_is_source_to_check():
    assert len(source_files()) > 100


def test_no_new_file_over_500_lines_nor_function_over_60():
    assert sorted(breaches() - NOT_YET) == [], "split it by responsibility"


def test_what_was_split_leaves_the_list():
    assert sorted(NOT_YET - breaches()) == [], "no longer breaks its bar: remove it from NOT_YET"


def test_the_layers_import_downwards_only():
    """The program composes the declarations, never the other way round; the component library knows neither."""
    upward = {"architectures": ("program",), "aws_systems": ("program", "architectures"), "handlers": ("program",)}
    found = []
    for layer, above in upward.items():
        for path in (ROOT / layer).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
                names += [node.module or ""] if isinstance(node, ast.ImportFrom) else []
                found += [f"{path.relative_to(ROOT)} imports {n}" for n in names if n.split(".")[0] in above]
    assert found == []
