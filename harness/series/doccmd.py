#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Print the kunit.py command that a document gives, as one shell line.

usage: doccmd.py FILE

The first literal block line that starts with ./tools/testing/kunit/kunit.py,
with its backslash continuation lines, in an rst file (indented) or a
Markdown file (fenced).  patches-check.sh runs it as written, so that the
documented command is the tested one.
"""
import sys


def command(lines):
    out = []
    for line in lines:
        text = line.strip()
        if not out and not text.startswith("./tools/testing/kunit/kunit.py"):
            continue
        out.append(text.rstrip("\\").strip())
        if not text.endswith("\\"):
            break
    return " ".join(out)


def main(argv):
    if len(argv) != 2:
        sys.exit(__doc__)
    with open(argv[1]) as f:
        cmd = command(f)
    if not cmd:
        print(f"doccmd: no kunit.py command in {argv[1]}", file=sys.stderr)
        return 1
    print(cmd)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
