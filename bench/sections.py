"""Each benchmark rewrites its own section of BENCHMARKS.md, between its begin and end markers."""

from __future__ import annotations

import re
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent.parent / "BENCHMARKS.md"


def rewrite(name: str, table: str, heading: str = "", intro: str = "") -> None:
    """Put ``table`` between ``<!-- name:begin -->`` and ``<!-- name:end -->``; a section not there yet is added at
    the end under ``heading`` and ``intro``."""
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    text = BENCHMARKS.read_text()
    if begin not in text:
        text = text.rstrip("\n") + f"\n\n## {heading}\n\n{intro}\n\n{begin}\n{end}\n"
    section = f"{begin}\n{table}\n{end}"
    BENCHMARKS.write_text(re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda _: section, text, flags=re.S))
