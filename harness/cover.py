#!/usr/bin/env python3
"""Fill in the cover letter of the generated series (make patches).

usage: cover.py COVER MAINTAINERS_OUTPUT BASE_DESCRIPTION

Replaces git format-patch's *** SUBJECT HERE *** and *** BLURB HERE ***
in COVER, and adds To: and Cc: lines from scripts/get_maintainer.pl's
output (maintainers and supporters to To:, lists and reviewers to Cc:).  Every figure
comes from the project's own latest runs under build/: the KUnit counts of
build/results/*.counts, the kernel logs, the lcov data of build/coverage/
and the benchmark tables build/bench.json and build/bench-smp.json.  A
run that has not been made is said to be missing, never filled in.
"""
import json
import os
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from profiles import BUILD  # noqa: E402

RESULTS = os.path.join(BUILD, "results")
SUBJECT = "kthread: kernel thread control primitives (kthread_core)"

# The profiles of make check, and what each one is.
RUNS = [
    ("default", "UML, without the slow stress case"),
    ("debug", "UML: KASAN, lockdep, PREEMPT, UBSAN, DEBUG_OBJECTS"),
    ("coverage", "UML with gcov"),
    ("smp-kcsan", "x86_64 under QEMU: KCSAN"),
    ("smp-debug", "x86_64 under QEMU: KASAN, lockdep, PREEMPT, hung task"),
]

INTRO = """\
This series adds kthread_core, a new implementation for today's kernel of
Rusty Russell's 2003 "Kernel Thread Control Primitives": a kernel thread
that has an initfn, called once when it is started, whose error the
starter gets back, and a corefn, called after every wakeup until the
thread is destroyed.  The loop that such threads write by hand around
kthread_should_stop(), set_current_state() and schedule(), and the
completion and error variable that report a failed set-up, move into one
place.

  struct task_struct *kthread_core_create(initfn, corefn, data,
                                          namefmt, ...);
  struct task_struct *kthread_core_start(k);   /* ERR_PTR(initfn's) */
  struct task_struct *kthread_core_run(initfn, corefn, data,
                                       namefmt, ...);
  int kthread_core_destroy(k);                 /* corefn's last value */
  bool kthread_core_owns(k);
  bool keventd_up(void);

The contract, in brief: corefn runs after each wake_up_process(); after it
returns the thread sleeps in the task state corefn left, so a corefn sets
TASK_INTERRUPTIBLE before its last check for work and no wakeup is lost.
A negative corefn return is kept, corefn is not called again, and destroy
returns it.  Destroy before start runs neither function.  Bad handles get
-EINVAL, -EBUSY or -EDEADLK, never a WARN.  Threads are forked by keventd
once keventd_up(), and by the caller before that, in early boot.

Differences from the 2003 patch: start returns ERR_PTR(initfn's error)
instead of NULL, and the failed thread is gone when it returns; destroy
returns corefn's last value instead of 0; a failed corefn sleeps instead
of spinning; each thread has its own state and completions instead of
one semaphore held across every round trip; bad handles and
self-destroy are errors; the thread resets its policy, nice value and
affinity to an ordinary kthread's and ignores all signals; and
kthread_should_stop() and kthread_stop() work on these threads.

Patches 1-3 are independent fixes that the tests found; they go first
and can be taken on their own: UML loses prioritized destructors from
.fini_array, and KCSAN reports two benign racy reads, of pid_allocated
in copy_process() and of a kworker's sum_exec_runtime in the workqueue
code.  Patches 4-10 add keventd_up(), kthread_set_should_stop(), the
primitives, the kthread_stop() interop, the KUnit suite, the benchmark
and the documentation with a MAINTAINERS entry.  Patches 11-12 make
kdevtmpfs the first caller: its hand-made set-up completion and error
hand-off go, and a KUnit test covers devtmpfs.
"""

QUESTIONS = """\
Questions a reviewer will ask
-----------------------------

Why a new API beside kthread_run()?  kthread_run() threads own their
loop; this is for threads that set up once and do one job per wakeup, and
whose creator must know whether the set-up worked.  Today each such user
writes the loop, the completion and the error hand-off itself (kdevtmpfs
in patch 11 is one).  kthread_run() keeps its behaviour and its callers.

Why keventd and not kthreadd?  kthreadd forks threads into kthread(),
which owns the thread function's calling convention, its exit and the
create handshake; kthread_core threads need a different thread body, and
forking them from kthreadd would mean a second request type inside
kernel/kthread.c.  keventd (the system workqueue) already gives a clean
parent from which the thread inherits nothing, and before keventd_up()
the caller forks the thread itself, so early initcalls can use the API.

Why a registry of threads rather than a field in struct kthread?  struct
kthread is private to kernel/kthread.c and lives as long as the task;
the kthread_core state must outlive the task until destroy has returned
its value, and a handle must be checked before anything of it is
touched.  A small hash table, whose spinlock is held only for the lookup,
answers "is this one of ours, and still valid?" for any pointer, so a
foreign thread, a second destroy or a stale handle gets -EINVAL, and
kernel/kthread.c only gains kthread_set_should_stop() and a branch in
kthread_stop().

What does kthread_should_stop() mean inside such a thread?  It is true
once kthread_core_destroy() has begun, so a corefn that waits for it, or
calls a helper that gives up once its thread should stop, returns.  And
kthread_stop() on a kthread_core thread is kthread_core_destroy(): it
used to wake the thread once more and wait for ever.
"""

FORK_ONLY = """\
Not in this series: the test harness that produced the figures above
(it prepares a tree, runs kunit.py under UML and QEMU and scans the
logs), its root .kunitconfig, and its debug, KCSAN, SMP and benchmark
config fragments under tools/testing/kunit/configs/.  The suite runs
with kunit.py and --kconfig_add CONFIG_KTHREAD_KUNIT_TEST=y (see
Documentation/core-api/kthread_core.rst).
"""


def read_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def when(path):
    return time.strftime("%Y-%m-%d", time.gmtime(os.path.getmtime(path)))


def log_facts(name):
    """(CPUs brought up, (lifecycles, ms) of the stress case) from a log."""
    cpus = stress = None
    try:
        with open(os.path.join(RESULTS, name + ".log"), errors="replace") as f:
            for line in f:
                m = re.search(r"smp: Brought up \d+ nodes?, (\d+) CPUs", line)
                if m:
                    cpus = int(m.group(1))
                m = re.search(r"stress: (\d+) full lifecycles by \d+ callers "
                              r"on \d+ CPUs in (\d+) ms", line)
                if m:
                    stress = (int(m.group(1)), int(m.group(2)))
    except OSError:
        pass
    return cpus, stress


def results():
    lines = []
    total_p = total_f = 0
    for name, what in RUNS:
        path = os.path.join(RESULTS, name + ".counts")
        c = read_json(path)
        if c is None:
            lines.append(f"  {name:10} not run in this tree")
            lines.append(f"  {'':10} {what}")
            continue
        total_p += c["passed"]
        total_f += c["failed"]
        cpus, stress = log_facts(name)
        lines.append(f"  {name:10} {c['passed']} passed, {c['failed']} failed, "
                     f"{c['skipped']} skipped, {c['reports']} kernel reports")
        lines.append(f"  {'':10} {what}")
        facts = [when(path)] + ([f"{cpus} CPUs"] if cpus else [])
        if stress:
            facts.append(f"stress: {stress[0]} lifecycles in {stress[1]} ms")
        lines.append(f"  {'':10} " + ", ".join(facts))
    head = ("Test results\n------------\n\n"
            "KUnit cases per configuration, from the latest runs of the "
            "harness; a\nkernel report (BUG, WARNING, KASAN, KCSAN, UBSAN, "
            "lockdep, hung task)\nfails a run even when every case "
            f"passed.  In all: {total_p} passed, {total_f} failed.\n\n")
    return head + "\n".join(lines) + "\n"


def coverage():
    path = os.path.join(BUILD, "coverage", "kthread_core.info")
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        return "Coverage: not measured in this tree (make coverage).\n"
    rec = text.split("SF:")
    for r in rec:
        if r.split("\n", 1)[0].endswith("kernel/kthread_core.c"):
            v = dict(re.findall(r"^(LF|LH|BRF|BRH):(\d+)$", r, re.M))
            lf, lh, brf, brh = (int(v.get(k, 0)) for k in ("LF", "LH", "BRF", "BRH"))
            return (f"Coverage of kernel/kthread_core.c by the suite (gcov, UML):\n"
                    f"lines {100.0 * lh / lf:.1f}% ({lh}/{lf}), "
                    f"branches {100.0 * brh / brf:.1f}% ({brh}/{brf}).\n")
    return "Coverage: no data for kernel/kthread_core.c in build/coverage.\n"


def bench():
    out = ["Benchmark\n---------\n",
           "kthread_core against kthread_run()/kthread_stop(), measured in "
           "the same\nboot, interleaved (kernel/kthread_bench.c); ratio = "
           "kthread_core /\nupstream, medians, below 1.0 means kthread_core "
           "is cheaper.  lifecycle:\nrun, corefn or body running, destroy "
           "or kthread_stop; _nowait: at once;\nwake_latency: "
           "wake_up_process() to corefn or loop body; churn_4x:\n4 callers "
           "at once, per lifecycle; create_*: creation alone, through\n"
           "keventd or forked directly, against kthread_create().\n"]
    for name, what in (("bench", "UML, 1 CPU"),
                       ("bench-smp", "x86_64 under QEMU, 4 vCPUs")):
        path = os.path.join(BUILD, name + ".json")
        data = read_json(path)
        if not data:
            out.append(f"{what}: not run in this tree (make {name}).\n")
            continue
        out.append(f"{what} ({when(path)}), median ns:\n")
        out.append(f"  {'':17} {'kthread_core':>12} {'upstream':>10}  ratio")
        for r in data["rows"]:
            out.append(f"  {r['metric']:17} {r['core_median_ns']:>12} "
                       f"{r['upstream_median_ns']:>10}  {r['ratio']:.2f}")
        out.append("")
    return "\n".join(out) + "\n"


def split_base(base):
    """("debian linux-source-6.12 ...", "6.12.117") of a base description."""
    m = re.fullmatch(r"(.*) \(kernel ([^)]+)\)", base)
    return (m.group(1), m.group(2)) if m else (base, "6.12")


def addresses(text):
    """(to, cc) from get_maintainer.pl output with role statistics."""
    to, cc = [], []
    for line in text.splitlines():
        m = re.match(r"(.+?) \((.*)\)$", line.strip())
        addr, role = (m.group(1), m.group(2)) if m else (line.strip(), "")
        if not addr or "@" not in addr:
            continue
        (to if role.startswith(("maintainer", "supporter")) else cc).append(addr)
    return to, cc


def main(argv):
    if len(argv) != 4:
        sys.exit(__doc__)
    cover, maint, base = argv[1:]
    with open(maint) as f:
        to, cc = addresses(f.read())
    with open(cover) as f:
        text = f.read()
    source, version = split_base(base)
    blurb = "\n".join([INTRO, QUESTIONS, results(), coverage(), bench(),
                       FORK_ONLY,
                       f"The series applies to Linux {version}; it "
                       f"was made on\n{source}.  Its "
                       "base-commit is that tree as\none commit, not an "
                       "upstream commit.\n"])
    text = text.replace("*** SUBJECT HERE ***", SUBJECT)
    text = text.replace("*** BLURB HERE ***", blurb.rstrip() + "\n")
    heads = ""
    if to:
        heads += "To: " + ",\n    ".join(to) + "\n"
    if cc:
        heads += "Cc: " + ",\n    ".join(cc) + "\n"
    text = re.sub(r"^Subject: ", heads.replace("\\", "\\\\") + "Subject: ",
                  text, count=1, flags=re.M)
    with open(cover, "w") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
