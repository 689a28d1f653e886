"""What goes into a container image, as a hash: the image tag that changes exactly when the content does.

The files counted are those Docker sends: the build context minus what its ``.dockerignore`` leaves out, read with
Docker's rules (moby/patternmatcher, as BuildKit applies them):

- one pattern a line; a line starting with ``#`` is a comment; surrounding blanks are trimmed, the path is cleaned and
  a leading ``/`` dropped (the context is the root);
- ``*`` and ``?`` match within one path segment, ``**`` across any number of segments (none included), ``[...]`` a
  character class, ``\\`` escapes the next character;
- a pattern that matches a directory leaves out everything below it;
- a line starting with ``!`` is an exception that takes back what earlier lines left out, and the last line that
  matches a path decides: ``*`` then ``!handlers`` sends ``handlers/`` and nothing else.

The Dockerfile counts even when the ignore file leaves it out: Docker reads it anyway. ``.git`` at the top of a context
is left out unless an exception names it. Pulumi-free, so tools and tests can compute a tag without a Pulumi runtime.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DOCKERIGNORE = ".dockerignore"
ALWAYS_IGNORED = (".git",)
_WILDCARDS = frozenset("*?[\\")
_REGEX_SPECIALS = frozenset(".+()|{}$")  # special in a regex, plain in a path pattern


def context_hash(build_context: Path, dockerfile: str, platform: str, named: Mapping[str, Path] | None = None) -> str:
    """A stable hash of everything that goes into the image: the files Docker sends from the build context and from
    the named contexts, the Dockerfile path and the platform. It is the image tag, so a new tag exists exactly when
    the content changed (ECR tags are immutable)."""
    digest = hashlib.sha256(f"{dockerfile}\0{platform}\0".encode())
    _hash_files(digest, build_context, keep=posixpath.normpath(Path(dockerfile).as_posix()))
    for name, directory in sorted((named or {}).items()):
        digest.update(f"--from={name}\0".encode())
        _hash_files(digest, directory)
    return digest.hexdigest()[:20]


def _hash_files(digest: Any, build_context: Path, keep: str | None = None) -> None:
    for relative in sent_files(build_context, keep):
        digest.update(relative.encode() + b"\0" + hashlib.sha256((build_context / relative).read_bytes()).digest())


def sent_files(build_context: Path, keep: str | None = None) -> list[str]:
    """The files of ``build_context`` that Docker sends (relative POSIX paths, in path order), and ``keep`` when it
    is a file there even if ignored."""
    ignore_file = build_context / DOCKERIGNORE
    lines = read_dockerignore(ignore_file.read_text(encoding="utf-8")) if ignore_file.is_file() else []
    rules = IgnoreRules.parse([*ALWAYS_IGNORED, *lines])
    files = [f for f in _walk(build_context, rules) if f == keep or not rules.ignores(f)]
    if keep is not None and keep not in files and (build_context / keep).is_file():
        files.append(keep)
    return sorted(files, key=lambda f: f.split("/"))


def read_dockerignore(text: str) -> list[str]:
    """The patterns of a ``.dockerignore``, read as Docker reads them (an exception keeps its leading ``!``)."""
    patterns = []
    for number, line in enumerate(text.split("\n")):
        line = line.removeprefix("\ufeff") if number == 0 else line
        if line.startswith("#"):
            continue
        line = line.strip()
        if not line:
            continue
        exception = line.startswith("!")
        if exception:
            line = line[1:].strip()
        if line:
            line = _clean(line)
            line = line[1:] if len(line) > 1 and line.startswith("/") else line
        patterns.append(f"!{line}" if exception else line)
    return patterns


def _clean(path: str) -> str:
    """Go's ``filepath.Clean`` on a slash path (Python's ``normpath`` keeps a leading ``//``; Go does not)."""
    cleaned = posixpath.normpath(path)
    return "/" + cleaned.lstrip("/") if cleaned.startswith("/") else cleaned


@dataclass(frozen=True)
class Pattern:
    """One line: what it matches, and whether it is an exception (``!``)."""

    text: str
    exception: bool
    matches: Callable[[str], bool]


@dataclass(frozen=True)
class IgnoreRules:
    patterns: Sequence[Pattern]

    @classmethod
    def parse(cls, lines: Sequence[str]) -> IgnoreRules:
        patterns = []
        for line in lines:
            text = _clean(line.strip()) if line.strip() else ""
            if not text:
                continue
            exception = text.startswith("!")
            if exception:
                if text == "!":
                    raise ValueError(f"{DOCKERIGNORE}: '!' alone is not a pattern")
                text = text[1:]
            patterns.append(Pattern(text, exception, _matcher(text)))
        return cls(tuple(patterns))

    def ignores(self, path: str) -> bool:
        """Whether Docker leaves ``path`` out: the last pattern matching it or one of its parent directories
        decides (moby's ``MatchesOrParentMatches``)."""
        ignored = False
        parents = path.split("/")[:-1]
        for pattern in self.patterns:
            if pattern.exception != ignored:
                continue  # an exclusion of what is already out, or an exception for what is still in
            if pattern.matches(path) or any(pattern.matches("/".join(parents[: i + 1])) for i in range(len(parents))):
                ignored = not pattern.exception
        return ignored

    def may_take_back_below(self, directory: str) -> bool:
        """Whether an exception could take back something below the ignored ``directory`` (else the walk skips
        it, as BuildKit does): any exception with a wildcard could, a plain one only if it names a path inside."""
        exceptions = [p.text for p in self.patterns if p.exception]
        return any(_WILDCARDS & set(e) or f"{e}/".startswith(f"{directory}/") for e in exceptions)


def _walk(root: Path, rules: IgnoreRules) -> Iterator[str]:
    """Every file below ``root`` (symbolic links to directories are not followed), skipping ignored directories that
    no exception reaches into."""
    for directory, subdirectories, files in os.walk(root):
        base = Path(directory).relative_to(root).as_posix()
        prefix = "" if base == "." else f"{base}/"
        subdirectories[:] = [
            d for d in subdirectories if not rules.ignores(prefix + d) or rules.may_take_back_below(prefix + d)
        ]
        yield from (prefix + f for f in files if os.path.isfile(os.path.join(directory, f)))


def _matcher(pattern: str) -> Callable[[str], bool]:
    """A path pattern compiled as moby/patternmatcher compiles it: an exact, prefix or suffix comparison when the
    pattern allows one, a regular expression otherwise."""
    regex, kind, i = "^", "exact", 0
    while i < len(pattern):
        ch, first = pattern[i], i == 0
        i += 1
        if ch == "*" and pattern[i : i + 1] == "*":
            i += 2 if pattern[i + 1 : i + 2] == "/" else 1  # "**/" is "**"
            at_end = i == len(pattern)
            regex += (".*" if kind != "exact" else "") if at_end else "(.*/)?"
            kind = "suffix" if first else ("prefix" if at_end and kind == "exact" else "regexp")
        elif ch in "*?":
            regex, kind = regex + ("[^/]*" if ch == "*" else "[^/]"), "regexp"
        elif ch in _REGEX_SPECIALS:
            regex += "\\" + ch
        elif ch == "\\":
            regex, kind = (regex + re.escape(pattern[i]), "regexp") if i < len(pattern) else (regex + "\\\\", kind)
            i += 1
        else:
            regex, kind = regex + ch, "regexp" if ch in "[]" else kind
    return _compare(pattern, kind, regex)


def _compare(pattern: str, kind: str, regex: str) -> Callable[[str], bool]:
    if kind == "exact":
        return lambda path: path == pattern
    if kind == "prefix":
        return lambda path: path.startswith(pattern[:-2])
    if kind == "suffix":
        suffix = pattern[2:]
        return lambda path: path.endswith(suffix) or (suffix.startswith("/") and path == suffix[1:])
    try:
        compiled = re.compile(regex + r"\Z")
    except re.error as error:
        raise ValueError(f"{DOCKERIGNORE}: {pattern!r} is not a valid pattern ({error})") from None
    return lambda path: compiled.match(path) is not None
