#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Each KUnit case's duration, from a kernel log booted with printk.time=1.

usage: timing.py LOG [OUT]

A case lasts from the previous result line (or its suite's start) to its
own "ok"/"not ok" line; a parameterised case is timed as a whole, and
its parameters one by one.  Prints the ten slowest cases and the total,
and writes every case's time to OUT.
"""
import sys

import kmsg
from kmsg import RESULT, SUBTEST

SHOWN = 10


def parse(lines):
    """[(suite.case, seconds)] in run order, and {suite.case: [(param,
    seconds)]}.  A suite's "# Subtest:" line is the least indented one;
    its cases' results share its indent, their parameters' are deeper."""
    cases, params = [], {}
    names = {}  # indent of a "# Subtest:" line -> its suite or case
    last = {}   # indent of result lines -> the time of the last event there
    suite = None
    for line in lines:
        t, text = kmsg.split(line.rstrip("\n"))
        if t is None:
            continue
        sub = SUBTEST.match(text)
        if sub:
            indent = len(sub["indent"])
            if suite is None or indent <= suite:
                suite = indent
            names[indent] = sub["name"]
            last[indent] = t
            continue
        res = RESULT.match(text)
        if not res or suite is None:
            continue
        indent, name = len(res["indent"]), res["name"]
        start, last[indent] = last.get(indent), t
        if start is None:
            continue
        if indent == suite:
            cases.append((f"{names[suite]}.{name}", t - start))
        elif indent == suite + 4:
            key = f"{names[suite]}.{names.get(indent, '?')}"
            params.setdefault(key, []).append((name, t - start))
    return cases, params


def report(cases, params):
    total = sum(s for _, s in cases)
    out = [f"{len(cases)} cases in {total:.2f} s; the {SHOWN} slowest:"]
    for name, s in sorted(cases, key=lambda c: -c[1])[:SHOWN]:
        split = ", ".join(f"{p} {ps:.2f}" for p, ps in params.get(name, []))
        out.append(f"  {s:6.2f} s  {name}" + (f"  ({split})" if split else ""))
    return "\n".join(out)


def write(path, cases, params):
    """Every case's and parameter's seconds, a line each, in run order."""
    with open(path, "w") as f:
        for name, s in cases:
            f.write(f"{s:.3f} {name}\n")
            for p, ps in params.get(name, []):
                f.write(f"{ps:.3f} {name}.{p}\n")


def main(argv):
    if len(argv) not in (2, 3):
        sys.exit(__doc__)
    with open(argv[1], errors="replace") as f:
        cases, params = parse(f)
    if not cases:
        print(f"timing.py: no timestamped results in {argv[1]}: was the "
              "kernel booted with printk.time=1?")
        return 0
    print(report(cases, params))
    if len(argv) == 3:
        write(argv[2], cases, params)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
