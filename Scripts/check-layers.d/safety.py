#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Every `unsafe` expression carries a `// SAFETY:` comment.

A comment covers the statements below it up to a blank line, nested lines
included (a closure passed to `withUnsafe…`, a multi-line call). A comment
that opens a function's body, or sits above its declaration, covers the whole
function: for small functions whose every `unsafe` has the same reason.
Usage: safety.py DIR...; exits 1 listing the lines without one.
"""
import pathlib
import re
import sys

FUNCTION = re.compile(r"^\s*(@\w+(\([^)]*\))?\s+)*((public|internal|package|private|fileprivate|static|final|override|mutating|nonmutating|nonisolated|convenience|required)\s+)*(func|init|deinit|subscript)\b")
TYPE = re.compile(r"^\s*(@\w+(\([^)]*\))?\s+)*((public|internal|package|private|fileprivate|final)\s+)*(struct|class|enum|extension|protocol|actor)\b")


def code(line):
    """The line without string literals and comments."""
    line = re.sub(r'"(\\.|[^"\\])*"', '""', line)
    return line.split("//")[0]


def indent(line):
    return len(line) - len(line.lstrip())


def commented(lines, index):
    """Whether a SAFETY comment covers the statement at `index` directly: on
    it, or above it in its paragraph (the lines of its block up to a blank one)."""
    if "SAFETY:" in lines[index]:
        return True
    level = indent(lines[index])
    above = index - 1
    while above >= 0:
        text = lines[above].strip()
        if not text or indent(lines[above]) < level:
            return False
        if text.startswith("//") and "SAFETY:" in text and indent(lines[above]) == level:
            return True
        above -= 1
    return False


def enclosing(lines, index):
    """The nearest line above `index` that is less indented (its block or statement)."""
    level = indent(lines[index])
    above = index - 1
    while above >= 0:
        text = lines[above].strip()
        if text and not text.startswith("//") and indent(lines[above]) < level:
            return above
        above -= 1
    return None


def covered(lines, index):
    """Whether a SAFETY comment covers the line: on it or above it, on a
    statement or block that encloses it, or first in its function's body
    (never a whole type's)."""
    current = index
    while current is not None:
        if commented(lines, current):
            return True
        if TYPE.match(lines[current]):
            return False
        if FUNCTION.match(lines[current]):
            body = current + 1
            while body < len(lines) and lines[body].strip().startswith("//"):
                if "SAFETY:" in lines[body]:
                    return True
                body += 1
            return False
        current = enclosing(lines, current)
    return False


def main(roots):
    missing = []
    for root in roots:
        for path in sorted(pathlib.Path(root).rglob("*.swift")):
            lines = path.read_text().splitlines()
            for index, line in enumerate(lines):
                if re.search(r"(?<!@)\bunsafe\b", code(line)) and not covered(lines, index):
                    missing.append(f"{path}:{index + 1}: error: `unsafe` without a `// SAFETY:` comment")
    for line in missing:
        print(line, file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
