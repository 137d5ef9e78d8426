# SPDX-License-Identifier: GPL-2.0-only
"""Find kernel reports (BUG, WARNING, KASAN, lockdep, ...) in a kernel log.

No run expects a report, so there is no allow-list: every hit fails the run.
A report from upstream code is answered by a config change, never here.
The one exception is a suite whose cases provoke reports on purpose and
check them itself: KCSAN's own kcsan_test (suite "kcsan") makes races and
verifies KCSAN's reports of them.  Inside its KTAP section, and only
there, KCSAN's reports are not counted; any other report still is.
"""
import re
import sys

import kmsg
from kmsg import RESULT, SUBTEST

PATTERNS = [
    r"BUG:",
    r"WARNING:",
    r"\bOops\b",
    r"kernel BUG",
    r"KASAN",
    # KCSAN never fails a KUnit case: this scan is what catches it.
    r"KCSAN: (data-race|assert: race|race of unknown origin)",
    r"UBSAN",
    r"KFENCE",
    r"possible circular locking",
    r"possible recursive locking",
    r"inconsistent lock state",
    r"possible irq lock inversion",
    r"suspicious RCU usage",
    r"held lock freed",
    r"DEBUG_LOCKS_WARN_ON",
    r"INFO: task .* blocked",
    r"INFO: rcu.* detected stall",
    r"ODEBUG",
    r"refcount_t",
    r"list_(add|del) corruption",
    r"general protection fault",
    r"Kernel panic",
    r"Unable to handle kernel",
    r"stack-protector",
    r"Call Trace:",
    # A deprecated interface in use: system_wq and the like.
    r"enqueued on deprecated workqueue",
]
REPORT = re.compile("|".join(PATTERNS))
CONTEXT = 25

# Suites that provoke a kind of report on purpose, and that kind.
PROVOKED = {"kcsan": re.compile(r"KCSAN: (data-race|assert: race|race of unknown origin)")}


def scan(lines):
    """Return [(line number, text)] of every line that starts a report."""
    hits, inside = [], None
    for n, raw in enumerate(lines, 1):
        line = kmsg.message(raw)
        m = SUBTEST.match(line)
        if m and m["name"] in PROVOKED and inside is None:
            inside = m["name"]
        elif inside and (m := RESULT.match(line)) and m["name"] == inside:
            inside = None
        if REPORT.search(line) and not (inside and PROVOKED[inside].search(line)):
            hits.append((n, raw.rstrip("\n")))
    return hits


def show(lines, hits, out=sys.stdout):
    """Print each report with the lines that follow it."""
    shown = 0
    for n, _ in hits:
        if n <= shown:
            continue
        end = min(len(lines), n - 1 + CONTEXT)
        print(f"--- kernel report at log line {n}:", file=out)
        for line in lines[n - 1:end]:
            print("    " + line.rstrip("\n"), file=out)
        shown = end


def main(argv):
    if len(argv) != 2:
        print("usage: logscan.py KERNEL_LOG", file=sys.stderr)
        return 2
    with open(argv[1], errors="replace") as f:
        lines = f.readlines()
    hits = scan(lines)
    show(lines, hits)
    print(f"log scan: {len(hits)} report line(s) in {argv[1]}")
    return 1 if hits else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
