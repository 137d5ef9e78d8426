#!/usr/bin/env python3
"""Run the KUnit suite in one configuration and check the kernel log.

usage: run.py PROFILE [extra kunit.py arguments]

Runs tools/testing/kunit/kunit.py in the prepared tree build/linux, keeps
its JSON, parsed and raw (KTAP) output under build/results/, scans the
kernel log for reports, and records the case counts for summary.py.
"""
import json
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
BUILD = os.environ.get("BUILD") or os.path.join(REPO, "build")
TREE = os.path.join(BUILD, "linux")
RESULTS = os.path.join(BUILD, "results")
CONFIGS = os.path.join(REPO, "tools/testing/kunit/configs")
sys.path.insert(0, HERE)
import junit  # noqa: E402
import logscan  # noqa: E402

NOT_SLOW = ["--filter", "speed>slow"]
SMP_CPUS = 4


def config(name):
    return os.path.join(CONFIGS, name)


def kvm_usable():
    """KVM only where the CPU has virtualization and /dev/kvm is ours.

    On hosts without vmx/svm, /dev/kvm may exist and QEMU may even start
    with it, but the guest never runs; so a bare fallback list
    (-accel kvm -accel tcg) is not enough.
    """
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        return False
    try:
        with open("/proc/cpuinfo") as f:
            flags = f.read().split()
    except OSError:
        return False
    return "vmx" in flags or "svm" in flags


def smp(*args):
    """kunit.py arguments of an x86_64 run on SMP_CPUS vCPUs under QEMU.

    TCG runs each vCPU in a host thread of its own (thread=multi); KVM is
    used where it works.  KTHREAD_CORE_ACCEL=tcg or kvm forces the choice.
    The suite runs in well under a minute under TCG; the timeout only ends
    a boot that hangs.
    """
    accel = os.environ.get("KTHREAD_CORE_ACCEL") or (
        "kvm" if kvm_usable() else "tcg")
    if accel == "tcg":
        accel = "tcg,thread=multi"
    return ["--arch=x86_64",
            f"--qemu_args=-smp {SMP_CPUS} -m 2048 -accel {accel}",
            "--timeout", "600"] + list(args)


# name: (kunitconfigs, build dir, extra kunit.py arguments)
PROFILES = {
    "default": ([os.path.join(REPO, ".kunitconfig")], "kunit", NOT_SLOW),
    "debug": ([os.path.join(REPO, ".kunitconfig"),
               os.path.join(CONFIGS, "kthread_debug.config")],
              "kunit-debug", ["--timeout", "900"]),
    "coverage": ([os.path.join(REPO, ".kunitconfig"),
                  os.path.join(TREE, "tools/testing/kunit/configs/coverage_uml.config")],
                 "kunit-coverage",
                 # gcc 12's libgcov defines mangle_path() too: see README.
                 NOT_SLOW + ["--make_options",
                             "KCFLAGS=-Dmangle_path=seq_mangle_path"]),
    "bench": ([os.path.join(CONFIGS, "kthread_bench.config")],
              "kunit-bench", ["--timeout", "900"]),
    # The SMP profiles (make smp, make bench-smp): x86_64 under QEMU.
    "smp-kcsan": ([os.path.join(REPO, ".kunitconfig"),
                   config("kthread_smp.config"),
                   config("kthread_kcsan.config")],
                  "kunit-smp-kcsan", smp()),
    "smp-debug": ([os.path.join(REPO, ".kunitconfig"),
                   config("kthread_debug.config"),
                   config("kthread_smp.config")],
                  "kunit-smp-debug", smp()),
    "bench-smp": ([config("kthread_bench.config"),
                   config("kthread_smp.config")],
                  "kunit-bench-smp", smp()),
}


def count(group):
    """(passed, failed, skipped) over the leaf cases of a kunit.py JSON group."""
    p = f = s = 0
    for case in group.get("test_cases", []):
        status = case.get("status")
        if status == "PASS":
            p += 1
        elif status == "SKIP":
            s += 1
        else:
            f += 1
    for sub in group.get("sub_groups", []):
        sp, sf, ss = count(sub)
        p, f, s = p + sp, f + sf, s + ss
    return p, f, s


def record(name, passed, failed, skipped, reports):
    os.makedirs(RESULTS, exist_ok=True)
    with open(os.path.join(RESULTS, name + ".counts"), "w") as f:
        json.dump({"passed": passed, "failed": failed, "skipped": skipped,
                   "reports": reports}, f)


def run(name, extra):
    if name not in PROFILES:
        sys.exit(f"run.py: unknown profile {name!r}; one of {', '.join(PROFILES)}")
    if not os.path.isfile(os.path.join(TREE, "tools/testing/kunit/kunit.py")):
        sys.exit("run.py: build/linux is not prepared: run 'make prepare' first")
    configs, bdir, args = PROFILES[name]
    build_dir = os.path.join(BUILD, bdir)
    log = os.path.join(build_dir, "test.log")
    js = os.path.join(RESULTS, name + ".json")
    os.makedirs(RESULTS, exist_ok=True)
    xml = os.path.join(RESULTS, name + ".junit.xml")
    for stale in (log, js, xml):
        if os.path.exists(stale):
            os.remove(stale)

    cmd = [sys.executable, "tools/testing/kunit/kunit.py", "run",
           f"--build_dir={build_dir}", f"--json={js}",
           f"--jobs={os.cpu_count() or 2}"]
    cmd += [f"--kunitconfig={c}" for c in configs] + args + extra
    print(f"run.py: {name}: {' '.join(cmd[1:])}", flush=True)
    start = time.monotonic()
    with open(os.path.join(RESULTS, name + ".txt"), "w") as out:
        proc = subprocess.Popen(cmd, cwd=TREE, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True,
                                errors="replace")
        for line in proc.stdout:
            sys.stdout.write(line)
            out.write(line)
        rc = proc.wait()
    wall = time.monotonic() - start

    passed = failed = skipped = 0
    tree = None
    problems = {}  # failing testcases of the run itself, for junit.py
    if os.path.exists(js):
        with open(js) as f:
            tree = json.load(f)
        passed, failed, skipped = count(tree)
    if passed + failed + skipped == 0:
        problems[f"{name} run"] = (f"no KUnit results (kunit.py exit {rc}): "
                                   "see the build or boot errors above")
        failed = 1
    elif rc != 0 and failed == 0:
        problems[f"{name} run"] = f"kunit.py exited {rc}"
        failed = 1
    for text in problems.values():
        print(f"run.py: {name}: {text}")

    reports = 0
    lines = []
    if os.path.exists(log):
        shutil.copyfile(log, os.path.join(RESULTS, name + ".log"))
        with open(log, errors="replace") as f:
            lines = f.readlines()
        hits = logscan.scan(lines)
        reports = len(hits)
        if hits:
            logscan.show(lines, hits)
            print(f"run.py: {name}: FAILED: the kernel log has {reports} "
                  "report line(s), shown above")
            failed += 1
            problems[f"{name} kernel log"] = "\n".join(t for _, t in hits)
    if name == "default" and os.path.exists(js):
        shutil.copyfile(js, os.path.join(BUILD, "results.json"))

    record(name, passed, failed, skipped, reports)
    junit.write(xml, name, tree, problems, lines)
    print(f"run.py: {name}: {passed} passed, {failed} failed, {skipped} "
          f"skipped, {reports} kernel reports, {wall:.1f}s wall")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    sys.exit(run(sys.argv[1], sys.argv[2:]))
