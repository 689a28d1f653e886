"""Draw the README's architecture diagrams from the declarations (``architectures.diagram``).

    python -m tools.diagrams            # rewrite each system's mermaid block in README.md
    python -m tools.diagrams --check    # exit 1, naming the system, when a diagram differs from its declaration

Each diagram sits between ``<!-- architecture:<system> -->`` and ``<!-- /architecture:<system> -->``; everything
outside the markers (the prose about each system) is left as it is.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from architectures import SYSTEMS, spec
from architectures.diagram import architecture, mermaid

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def block(system: spec.System) -> str:
    """What stands between a system's markers: its fenced mermaid diagram."""
    return f"```mermaid\n{mermaid(architecture(system))}```\n"


def _between_markers(name: str) -> re.Pattern[str]:
    return re.compile(rf"<!-- architecture:{re.escape(name)} -->\n(.*?)<!-- /architecture:{re.escape(name)} -->", re.S)


def redraw(text: str, systems: list[spec.System]) -> tuple[str, list[str]]:
    """The text with each system's diagram drawn again, and the names of the systems whose diagram changed.

    Raises ``ValueError`` naming a system whose markers are missing: nothing would be checked for it."""
    changed = []
    for system in systems:
        found = _between_markers(system.name).search(text)
        if found is None:
            raise ValueError(f"no <!-- architecture:{system.name} --> ... <!-- /architecture:{system.name} --> markers")
        drawn = block(system)
        if found.group(1) != drawn:
            changed.append(system.name)
            text = text[: found.start(1)] + drawn + text[found.end(1) :]
    return text, changed


def main(argv: list[str], readme: Path = README) -> int:
    if {"-h", "--help"} & set(argv):
        print(__doc__.strip())
        return 0
    name = readme.name
    try:
        written, changed = redraw(readme.read_text(), list(SYSTEMS.values()))
    except ValueError as error:
        print(f"{name}: {error}", file=sys.stderr)
        return 1
    if "--check" in argv:
        if changed:
            which = ", ".join(changed)
            print(
                f"{name}: the {which} diagram differs from the declaration: run python -m tools.diagrams",
                file=sys.stderr,
            )
            return 1
        return 0
    if changed:
        readme.write_text(written)
    print(f"{name}: redrew {', '.join(changed)}" if changed else f"{name}: the diagrams are up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
