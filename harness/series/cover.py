#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Fill in the cover letter of the generated series (make patches).

usage: cover.py COVER MAINTAINERS_OUTPUT BASE_DESCRIPTION [VERSION]
       cover.py --headers PATCH MAINTAINERS_OUTPUT

The second form only adds one patch's To: and Cc: lines.

Replaces git format-patch's *** SUBJECT HERE *** and *** BLURB HERE ***
in COVER, and adds To: and Cc: lines from scripts/get_maintainer.pl's
output (maintainers and supporters to To:, lists and reviewers to Cc:).  Every figure
comes from the project's own latest runs under build/: the KUnit counts of
build/results/*.counts, the kernel logs, the lcov data of build/coverage/
and the benchmark table build/bench.json.  A run that has not been made
is said to be missing, never filled in.  For a version above 1, the
changes since the previous version come from harness/series/series.changes.
"""
import json
import os
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
# profiles.py is the runs' (harness/runs).
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "runs"))
from profiles import BUILD  # noqa: E402

RESULTS = os.path.join(BUILD, "results")
SUBJECT = "kthread: kernel thread control primitives (kthread_core)"

# The profiles of make check, and what each one is.
RUNS = [
    ("default", "UML on 4 CPUs: the command of kthread_core.rst, without\n"
                "             the slow cases"),
    ("debug", "UML on 4 CPUs: KASAN, lockdep, PREEMPT, UBSAN, DEBUG_OBJECTS,\n"
              "             hung-task detector; with the stress case"),
    ("up", "uniprocessor UML, with the stress case and drivers/base/test"),
    ("clang", "UML on 4 CPUs, built with clang 19"),
    ("coverage", "UML on 4 CPUs, gcov on kthread_core.c and workqueue.c"),
    ("smp-kcsan", "x86_64 under QEMU on 4 vCPUs: KCSAN, and kcsan_test"),
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
  bool keventd_up(void);   /* kernel/workqueue_internal.h */

The contract, in brief: corefn runs after each wake_up_process(); after it
returns the thread sleeps in the task state corefn left, so a corefn sets
TASK_INTERRUPTIBLE before its last check for work and no wakeup is lost.
A negative corefn return is kept, corefn is not called again, and destroy
returns it.  Destroy before start runs neither function.  Bad handles get
-EINVAL, -EBUSY or -EDEADLK, never a WARN.

The threads are kthreads made by kthread.c's own create path: kthreadd
forks each one into kthread(), which runs kthread_core's thread function
once the thread is first woken, and the thread exits through kthread()'s
own exit.  So kthread_bind(), kthread_affine_preferred(), sched_set_fifo(),
kthread_park(), the freezer and kthread_stop() work on it with no hook in
kthread.c, and nothing of kthreadd's context or kthread()'s start is
copied.  kthread.c gains two internal, unexported helpers (patch 5, with
patch 3 46 changed lines): __kthread_create_on_node() with the fork done
by the caller, for creation before keventd_up() by a child of kthreadd,
and kthread_request_stop(), kthread_stop() without its one-waiter wait.
The thread's exit hook is a task_work, which do_exit() runs however the
thread ends, so destroy, a failed start and kthread_stop() can all wait
for the exit at once, and a thread that dies in initfn ends its start
with -EINTR.

Differences from the 2003 patch: start returns ERR_PTR(initfn's error)
instead of NULL, and the failed thread is gone when it returns; destroy
returns corefn's last value instead of 0; a failed corefn sleeps instead
of spinning; each thread has its own state and completions instead of
one semaphore held across every round trip; bad handles and
self-destroy are errors.

Patches 1-2 are independent UML fixes that the tests found; they go
first and can be taken on their own: with KASAN, UML SMP panics
bringing up its secondary CPUs, and UML loses prioritized destructors
from .fini_array (no gcov data).  Patch 3 tells KCSAN that PF_KTHREAD
does not change.  Patches 4-9 add keventd_up(), the two kthread.c
helpers, the primitives, the KUnit suite, the benchmark and the
documentation with a MAINTAINERS entry.  Patches 10-11 make kdevtmpfs
the first caller: its hand-made set-up completion and error hand-off go,
and a KUnit test covers devtmpfs.  Patches 12-13 do the same for aoe's
I/O and transmit threads, whose hand-written start handshake reported
every failure as -ENOMEM (and -EAGAIN from aoenet_init()), and give
them their first test.

Callers (lines from the diffstat of each conversion; the tests are
patches of their own):

  caller                 conversion      what it fixed           test
  kdevtmpfs (patch 10)   +38 -53         set-up completion and   devtmpfs (patch 11),
                                         error hand-off gone     3 cases
  aoe_ktio, aoe_tx       +60 -56         creation's own error    aoe (patch 13),
  (patch 12)                             reaches aoe_init(); two 4 cases
                                         wait queues and a
                                         completion gone
"""

QUESTIONS = """\
Questions a reviewer will ask
-----------------------------

Is this a second way to make a kthread?  No: kthreadd forks every thread
through kthread_create_on_node()'s path, and the thread runs kthread().
Only before keventd_up() (before workqueue_init(), where no caller but
init and the kthreads of that moment exist) does a child of kthreadd
fork through the same path itself, with CLONE_PARENT; init goes through
kthreadd.  The benchmark below compares it with kthread_run() and
kthread_stop() in the same boot.

Didn't kthread_iterant, and this very seed, lose already?  Petr
Mladek's kthread_iterant (2015) was turned down in favour of improving
kthread_worker, and Rusty Russell himself replaced this seed's
kthread_start() with wake_up_process() in the kthread API merged in
2004.  What is left of the seed here is small: the initfn whose error
the starter gets back, and a corefn loop that cannot lose a wakeup.
Start is still a wake_up_process() of a kthread_create() thread, plus
the wait for initfn.

Why not kthread_worker, smpboot threads or vhost_task?  None of them
gives the creator the thread's set-up error.  A kthread_worker runs
queued items; its thread has no set-up step of its own.  smpboot's
setup() runs in the per-CPU thread after the registration returned,
with no error path to the registrant.  vhost_task's fn() loop is close to
corefn, but vhost_task_create() returns before the task runs anything.
A driver that needs the error writes a completion and an error variable
by hand, as kdevtmpfs and aoe_ktstart() did (patches 10 and 12), and as
pcmcia's pccardd still does.

What do callers gain?  kdevtmpfs (patch 10) loses its hand-made
completion and error hand-off; aoe (patch 12) its start handshake, its
wait queues, and the -ENOMEM that stood for every failure.  pccardd is
the candidate for the next version.

Why a registry of threads rather than a field in struct kthread?  A
handle must be checked before anything of it is touched: the small hash
table, whose spinlock is held only for the lookup, answers "is this one
of ours, and still valid?" for any pointer, so a foreign thread, a
destroyed thread or a stale handle gets -EINVAL without being
dereferenced, and struct kthread is unchanged.
"""

FORK_ONLY = """\
Not in this series: the test harness that produced the figures above
(it prepares a tree, runs kunit.py under UML and QEMU, scans the logs,
checks a Promela model of the protocol with Spin, and runs upstream's
own suites of the files the series touches without and with it), its
root .kunitconfig, and its debug, KCSAN, SMP, benchmark, lean,
noblock and nodebug config fragments under tools/testing/kunit/configs/.  The suite runs with
kunit.py (see Documentation/core-api/kthread_core.rst).
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
           "the same\nboot, interleaved (kernel/kthread_bench.c), on 4 UML "
           "CPUs; ratio =\nkthread_core / upstream, medians, below 1.0 means "
           "kthread_core is\ncheaper.  floor: kernel_thread() of a function "
           "that exits, and the wait\nfor it; lifecycle: run, corefn or body "
           "running, destroy or kthread_stop;\nwake_latency: "
           "wake_up_process() to corefn or loop body; churn_4x:\n4 callers "
           "at once, per lifecycle; burst_16: 16 creators at once; create_*:\n"
           "creation alone.\n"]
    path = os.path.join(BUILD, "bench.json")
    data = read_json(path)
    if not data:
        out.append("UML, 4 CPUs: not run in this tree (make bench).\n")
        return "\n".join(out) + "\n"
    out.append(f"UML, 4 CPUs ({when(path)}), median ns, ratio with its 95% "
               "bootstrap\ninterval over the rounds:\n")
    out.append(f"  {'':19} {'kthread_core':>12} {'upstream':>10}  ratio  interval")
    for r in data["rows"]:
        ratio = f"{r['ratio']:.2f}" if r.get("ratio") is not None else "  - "
        ci = r.get("ci95")
        ci = f"{ci[0]:.2f}-{ci[1]:.2f}" if ci else "-"
        up = r.get("upstream_median_ns")
        out.append(f"  {r['metric']:19} {round(r['core_median_ns']):>12} "
                   f"{'-' if up is None else round(up):>10}  {ratio:>5}  {ci}")
        if "kworkers_forked" in r:
            k = r["kworkers_forked"]
            out.append(f"  {'':19} kworkers forked: {k['core']} and {k['upstream']}")
    out.append("")
    return "\n".join(out) + "\n"


def changes(version):
    """The "vN:" section of harness/series/series.changes, or None."""
    try:
        with open(os.path.join(HERE, "series.changes")) as f:
            text = f.read()
    except OSError:
        return None
    m = re.search(rf"^v{version}:\n(.*?)(?=^v\d+:|\Z)", text, re.M | re.S)
    return m.group(1).strip() + "\n" if m else None


def add_headers(text, to, cc):
    """@text, an email, with To: and Cc: lines before its Subject:."""
    heads = ""
    if to:
        heads += "To: " + ",\n    ".join(to) + "\n"
    if cc:
        heads += "Cc: " + ",\n    ".join(cc) + "\n"
    return re.sub(r"^Subject: ", heads.replace("\\", "\\\\") + "Subject: ",
                  text, count=1, flags=re.M)


def split_base(base):
    """("debian linux-source-7.3 ...", "7.3.0-rc7") of a base description."""
    m = re.fullmatch(r"(.*) \(kernel ([^)]+)\)", base)
    return (m.group(1), m.group(2)) if m else (base, "7.3")


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


def base_note(base):
    source, version = split_base(base)
    note = (f"The series applies to Linux {version}; it was made and proven "
            f"on\n{source}.  ")
    if source.startswith("debian"):
        note += ("That is Debian's tree, Linus's tag with Debian's "
                 "patches, not the tag\nitself: " + DEBIAN_NOTE)
    return note + ("Its base-commit is that tree as one commit, not an "
                   "upstream commit.\n")


# What was found of Debian's patches in the files the series touches.
DEBIAN_NOTE = ("none of Debian's changes that were found touches a file of "
               "the\nseries (see README.md, \"The base\").  ")


def main(argv):
    if len(argv) == 4 and argv[1] == "--headers":
        patch, maint = argv[2:]
        with open(maint) as f:
            to, cc = addresses(f.read())
        with open(patch) as f:
            text = f.read()
        with open(patch, "w") as f:
            f.write(add_headers(text, to, cc))
        return 0
    if len(argv) not in (4, 5):
        sys.exit(__doc__)
    cover, maint, base = argv[1:4]
    version = int(argv[4]) if len(argv) == 5 else 1
    with open(maint) as f:
        to, cc = addresses(f.read())
    with open(cover) as f:
        text = f.read()
    parts = [INTRO]
    if version > 1:
        log = changes(version)
        if log is None:
            sys.exit(f"cover.py: harness/series/series.changes has no v{version}: section")
        parts.append(f"Changes in v{version}\n" + "-" * (11 + len(str(version)))
                     + "\n\n" + log)
    parts += [QUESTIONS, results(), coverage(), bench(), FORK_ONLY, base_note(base)]
    blurb = "\n".join(parts)
    text = text.replace("*** SUBJECT HERE ***", SUBJECT)
    text = text.replace("*** BLURB HERE ***", blurb.rstrip() + "\n")
    with open(cover, "w") as f:
        f.write(add_headers(text, to, cc))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
