"""Find kernel reports (BUG, WARNING, KASAN, lockdep, ...) in a kernel log.

No run expects a report, so there is no allow-list: every hit fails the run.
A report from upstream code is answered by a config change, never here.
"""
import re
import sys

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
]
REPORT = re.compile("|".join(PATTERNS))
CONTEXT = 25


def scan(lines):
    """Return [(line number, text)] of every line that starts a report."""
    return [(n, line.rstrip("\n")) for n, line in enumerate(lines, 1)
            if REPORT.search(line)]


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
