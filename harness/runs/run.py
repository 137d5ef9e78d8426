#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Run the KUnit suite in one configuration and check the kernel log.

usage: run.py PROFILE [extra kunit.py exec arguments]

Runs the profile (profiles.py) with tools/testing/kunit/kunit.py in the
prepared tree build/linux: `kunit.py config`, the build (build.py, through
ccache), then `kunit.py exec`.  Keeps the JSON, parsed and raw (KTAP)
output and the build log under build/results/, scans the kernel log for
reports, and records the case counts for summary.py.
"""
import json
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
# cache.py is the base's (harness/base).
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "base"))
import build  # noqa: E402
import cache  # noqa: E402
import junit  # noqa: E402
import logscan  # noqa: E402
import profiles  # noqa: E402
import timing  # noqa: E402
from profiles import BUILD, PROFILES, REPO, TREE  # noqa: E402,F401

RESULTS = os.path.join(BUILD, "results")
KUNIT = [sys.executable, "tools/testing/kunit/kunit.py"]


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


def stream(name, cmd, env, out):
    """Run a kunit.py step in the tree, its output both shown and kept."""
    print(f"run.py: {name}: {' '.join(cmd[1:])}", flush=True)
    proc = subprocess.Popen(cmd, cwd=TREE, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True,
                            errors="replace")
    for line in proc.stdout:
        sys.stdout.write(line)
        out.write(line)
    return proc.wait()


# kunit.py exec's options that take a value (--json, --junit and
# --raw_output take one or none): what follows them is no glob.
VALUED = {"--build_dir", "--make_options", "--kunitconfig", "--kconfig_add",
          "--arch", "--cross_compile", "--qemu_config", "--qemu_args", "--jobs",
          "--timeout", "--kernel_args", "--filter", "--filter_action",
          "--run_isolated", "--json", "--junit", "--raw_output"}


def has_glob(args):
    """Whether kunit.py exec arguments @args name suites: a positional."""
    return any(not a.startswith("-") and (i == 0 or args[i - 1] not in VALUED)
               for i, a in enumerate(args))


def run(name, extra):
    if name not in PROFILES:
        sys.exit(f"run.py: unknown profile {name!r}; one of {', '.join(PROFILES)}")
    if not os.path.isfile(os.path.join(TREE, "tools/testing/kunit/kunit.py")):
        sys.exit("run.py: build/linux is not prepared: run 'make prepare' first")
    prof = PROFILES[name]
    build_dir = os.path.join(BUILD, prof.build_dir)
    log = os.path.join(build_dir, "test.log")
    js = os.path.join(RESULTS, name + ".json")
    os.makedirs(RESULTS, exist_ok=True)
    xml = os.path.join(RESULTS, name + ".junit.xml")
    for stale in (log, js, xml):
        if os.path.exists(stale):
            os.remove(stale)

    # kunit.py run is config, build and exec; run.py builds itself, to
    # show progress and keep the build's output.
    common = [f"--build_dir={build_dir}"]
    common += [f"--kunitconfig={c}" for c in prof.configs] + prof.common
    common += [f"--make_options={m}" for m in prof.make]
    env = cache.ccache_env()
    boot_env = profiles.qemu_env(env or dict(os.environ), prof.arch) \
        if prof.arch != "um" else env
    start = time.monotonic()
    with open(os.path.join(RESULTS, name + ".txt"), "w") as out:
        rc = stream(name, KUNIT + ["config"] + common, env, out)
        if rc == 0 and not build.build(
                name, TREE, build_dir, prof.arch, prof.make,
                os.cpu_count() or 2,
                os.path.join(RESULTS, name + ".build.log"), prof.objects, env):
            rc = 1
        if rc == 0:
            rc = stream(name, KUNIT + ["exec"] + common + [f"--json={js}"]
                        + prof.boot + profiles.TIMED
                        + ([prof.glob] if prof.glob and not has_glob(extra) else [])
                        + extra, boot_env, out)
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
    stamps = os.path.join(RESULTS, name + ".timing")
    if os.path.exists(stamps):
        os.remove(stamps)  # an earlier run's: not this one's
    if os.path.exists(log):
        shutil.copyfile(log, os.path.join(RESULTS, name + ".log"))
        with open(log, errors="replace") as f:
            lines = f.readlines()
        cases, params = timing.parse(lines)
        if cases:
            print(timing.report(cases, params))
            timing.write(stamps, cases, params)
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
