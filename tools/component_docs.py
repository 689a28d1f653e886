"""Write the component library's reference (``docs/components.md``) from its source: each component, and each of its
arguments with its type, default and documentation (the string under the field in the ``XxxArgs`` dataclass).

    python -m tools.component_docs            # write docs/components.md
    python -m tools.component_docs --check    # exit 1 when the file differs from what the source gives

The source is read with ``ast``, so defaults show as they are written, and a named one from ``aws_systems.defaults``
with its value (``defaults.PASSWORD_MIN_LENGTH = 12``).
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "aws_systems"
REFERENCE = ROOT / "docs" / "components.md"


@dataclass(frozen=True)
class Argument:
    name: str
    type: str
    default: str
    doc: str


@dataclass(frozen=True)
class ArgsClass:
    name: str
    doc: str
    arguments: tuple[Argument, ...]


def _one_line(text: str) -> str:
    """Docstring text as one Markdown table cell: reStructuredText roles and literals become code spans."""
    text = re.sub(r":\w+:`~?([^`]+)`", r"`\1`", " ".join(text.split()))
    return text.replace("``", "`").replace("|", "\\|")


def _named_value(text: str) -> str:
    """``defaults.X`` as written, with the value it has now."""
    if not text.startswith("defaults."):
        return text
    from aws_systems import defaults

    value = getattr(defaults, text.removeprefix("defaults."), None)
    return text if value is None else f"{text} = {value!r}"


def _default(value: ast.expr | None) -> str:
    """How a field's default reads: required, the value, or what its ``field(default_factory=...)`` makes."""
    if value is None:
        return "required"
    if isinstance(value, ast.Attribute):
        return _named_value(ast.unparse(value))
    if isinstance(value, ast.Call) and ast.unparse(value.func) == "field":
        for keyword in value.keywords:
            if keyword.arg == "default":
                return ast.unparse(keyword.value)
            if keyword.arg == "default_factory":
                made = keyword.value
                return ast.unparse(made.body) if isinstance(made, ast.Lambda) else f"{ast.unparse(made)}()"
    return ast.unparse(value)


_BULLET = re.compile(r"^- ((?:``\w+``(?: / )?)+): (.*)$")


def _attribute_docs(docstring: str) -> dict[str, str]:
    """Fields documented in the class docstring rather than under each field: a Google-style ``Attributes:``
    section (``name: text``) or a list (``- ``name``: text``, ``- ``a`` / ``b``: text``), continued lines joined."""
    docs: dict[str, str] = {}
    names: list[str] = []
    section = docstring.split("Attributes:", 1)[1] if "Attributes:" in docstring else docstring
    google = "Attributes:" in docstring
    for line in section.splitlines():
        stripped = line.strip()
        head, _, text = stripped.partition(": ")
        bullet = _BULLET.match(stripped)
        heads = head.split(", ")
        if google and all(h.isidentifier() for h in heads) and not line.startswith("        "):
            names = heads
        elif bullet:
            names, text = re.findall(r"``(\w+)``", bullet.group(1)), bullet.group(2)
        elif names and stripped and line.startswith(("  ", "    ")):
            for name in names:
                docs[name] += " " + stripped
            continue
        else:
            names = []
            continue
        for name in names:
            docs[name] = text
    return docs


def _arguments(node: ast.ClassDef) -> tuple[Argument, ...]:
    arguments = []
    attribute_docs = _attribute_docs(ast.get_docstring(node) or "")
    body = node.body
    for index, statement in enumerate(body):
        if not isinstance(statement, ast.AnnAssign) or not isinstance(statement.target, ast.Name):
            continue
        following = body[index + 1] if index + 1 < len(body) else None
        documented = isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant)
        doc = str(following.value.value) if documented else attribute_docs.get(statement.target.id, "")  # type: ignore[union-attr]
        arguments.append(Argument(statement.target.id, ast.unparse(statement.annotation),
                                  _default(statement.value), _one_line(doc)))  # fmt: skip
    return tuple(arguments)


def _summary(docstring: str) -> str:
    """The class docstring without the per-field part that the table shows."""
    lines = docstring.split("Attributes:")[0].splitlines()
    kept = []
    for line in lines:
        if _BULLET.match(line.strip()):
            break
        kept.append(line)
    return _one_line("\n".join(kept))


def args_classes(module: Path) -> list[ArgsClass]:
    """The module's ``...Args`` classes, in source order."""
    tree = ast.parse(module.read_text())
    return [
        ArgsClass(node.name, _summary(ast.get_docstring(node) or ""), _arguments(node))
        for node in tree.body
        if isinstance(node, ast.ClassDef) and node.name.endswith("Args")
    ]


def components(module: Path) -> list[tuple[str, str]]:
    """The module's components (classes ending in ``Component``) and the first paragraph of their docstrings."""
    tree = ast.parse(module.read_text())
    found = []
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name.endswith("Component") and node.name != "Component":
            found.append((node.name, _one_line((ast.get_docstring(node) or "").split("\n\n")[0])))
    return found


def reference() -> str:
    lines = ["# Component reference", "",
             "Generated from the source by `python -m tools.component_docs`; a test fails when it is out of date.",
             "Every default is the secure one; weakening it logs a warning in every preview.", ""]  # fmt: skip
    for module in sorted(PACKAGE.glob("*.py")):
        classes, made = args_classes(module), components(module)
        if not classes or not made:
            continue
        lines += [f"## `aws_systems.{module.stem}`", ""]
        lines += [f"**{name}**: {doc}" if doc else f"**{name}**" for name, doc in made]
        for args in classes:
            lines += ["", f"### `{args.name}`", "", args.doc, "", "| argument | type | default | meaning |",
                      "|---|---|---|---|"]  # fmt: skip
            lines += [
                f"| `{a.name}` | `{_one_line(a.type)}` | `{_one_line(a.default)}` | {a.doc} |" for a in args.arguments
            ]
        lines.append("")
    return "\n".join(line for line in lines).rstrip() + "\n"


def main(argv: list[str]) -> int:
    if {"-h", "--help"} & set(argv):
        print(__doc__.strip())
        return 0
    written = reference()
    if "--check" in argv:
        if not REFERENCE.exists() or REFERENCE.read_text() != written:
            print(f"{REFERENCE.relative_to(ROOT)} is out of date: run python -m tools.component_docs", file=sys.stderr)
            return 1
        return 0
    REFERENCE.parent.mkdir(exist_ok=True)
    REFERENCE.write_text(written)
    print(f"wrote {REFERENCE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
