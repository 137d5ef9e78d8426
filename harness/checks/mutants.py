#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Apply each planted bug of mutants.txt alone, run profiles, and count kills.

usage: mutants.py [PROFILE ...] [--only NAME ...]

PROFILE defaults to default.  The unmutated file must pass first.  Each
mutant is applied to kernel/kthread_core.c, run.py runs each profile,
and the file is restored whatever happens, SIGTERM and SIGHUP included.
A mutant is killed in a profile when its run fails; the failing cases
are named.  A mutant that does not build is invalid, not killed: fix its
lines in mutants.txt.  The report,
killed/total per profile with the survivors and their reasons, goes to
build/results/mutants.txt.  Not part of make check: it builds and boots
once per mutant and profile.
"""
import json
import os
import signal
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
LIST = os.path.join(HERE, "mutants.txt")
TARGET = os.path.join(REPO, "kernel/kthread_core.c")
RESULTS = os.path.join(REPO, "build/results")
OUT = os.path.join(RESULTS, "mutants")
RUN = [sys.executable, os.path.join(REPO, "harness/runs/run.py")]
# A run that hangs is a kill too, once kunit.py's timeout ends it: a boot
# that passes takes well under a minute, slow cases and debug included.
EXEC_TIMEOUT = ["--timeout", "240"]
RUN_TIMEOUT = 1200


def parse(path):
    """[{name, what, old, new, note}] from mutants.txt."""
    mutants, cur = [], None
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if line.startswith("#") or (not line and cur is None):
                continue
            if line.startswith("== "):
                name, _, what = line[3:].partition(": ")
                cur = {"name": name, "what": what, "old": [], "new": [],
                       "note": None}
                mutants.append(cur)
            elif cur is None:
                sys.exit(f"{path}:{n}: a line before the first '== name:'")
            elif line.startswith("-"):
                cur["old"].append(line[1:])
            elif line.startswith("+"):
                cur["new"].append(line[1:])
            elif line.startswith(("equivalent: ", "survives: ")):
                cur["note"] = line
            elif line:
                sys.exit(f"{path}:{n}: expected -, +, equivalent: or "
                         f"survives: in mutant {cur['name']}")
    return mutants


def mutate(source, m):
    old = "\n".join(m["old"]) + "\n"
    new = "\n".join(m["new"]) + "\n" if m["new"] else ""
    if source.count(old) != 1:
        sys.exit(f"mutants.py: {m['name']}: its - lines occur "
                 f"{source.count(old)} times in {TARGET}, not once: if an "
                 f"earlier run was killed, restore the file (git diff, git "
                 f"checkout); else update {LIST} to the code as it is")
    return source.replace(old, new)


def failures(profile):
    """The failing cases of a profile's last run, from its JSON."""
    path = os.path.join(RESULTS, profile + ".json")
    names = []

    def walk(group, prefix):
        for case in group.get("test_cases", []):
            if case.get("status") not in ("PASS", "SKIP"):
                names.append(prefix + case["name"])
        for sub in group.get("sub_groups", []):
            walk(sub, prefix + sub["name"] + ".")
    try:
        with open(path) as f:
            walk(json.load(f), "")
    except (OSError, ValueError):
        pass
    return names


def run(profile, log):
    """("passed" | "killed" | "invalid", [what failed]) of one run."""
    with open(log, "w") as out:
        # Its own session, so that a timeout ends kunit.py and the kernel too.
        proc = subprocess.Popen(RUN + [profile] + EXEC_TIMEOUT, stdout=out,
                                stderr=subprocess.STDOUT, cwd=REPO,
                                start_new_session=True)
        try:
            rc = proc.wait(timeout=RUN_TIMEOUT)
        except BaseException as e:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            if not isinstance(e, subprocess.TimeoutExpired):
                raise
            return "killed", ["(the run hung past %d s)" % RUN_TIMEOUT]
    if rc == 0:
        return "passed", []
    with open(log, errors="replace") as f:
        text = f.read()
    if f"build: {profile}: FAILED" in text:
        return "invalid", [f"(it does not build: see {log})"]
    cases = failures(profile)
    if "FAILED: the kernel log has" in text and not cases:
        cases = ["(the kernel log has reports)"]
    return "killed", cases or ["(no results: see %s)" % log]


def write(text):
    """Replace TARGET whole, with SIGTERM and SIGHUP held off meanwhile:
    their handler's exit cannot cut the write short, and a temp file
    replaces the target in one step."""
    tmp = TARGET + ".mutants.tmp"
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGHUP})
    try:
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, TARGET)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def stop(signum, frame):
    sys.exit(128 + signum)  # unwinds through main()'s restore


def main(argv):
    profiles, only = [], []
    dest = profiles
    for a in argv:
        if a == "--only":
            dest = only
        else:
            dest.append(a)
    profiles = profiles or ["default"]
    mutants = parse(LIST)
    unknown = set(only) - {m["name"] for m in mutants}
    if unknown:
        sys.exit(f"mutants.py: no mutant named {', '.join(sorted(unknown))} in "
                 f"{LIST}; its names: {', '.join(m['name'] for m in mutants)}")
    if only:
        mutants = [m for m in mutants if m["name"] in only]
    with open(TARGET) as f:
        original = f.read()
    for m in mutants:
        mutate(original, m)  # every mutant applies, before any run
    os.makedirs(OUT, exist_ok=True)

    # A file left mutated by a SIGKILL is caught above when that mutant
    # is among those chosen: its lines no longer occur in the file.
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)
    for p in profiles:
        status, cases = run(p, os.path.join(OUT, f"unmutated.{p}.txt"))
        if status != "passed":
            sys.exit(f"mutants.py: {p} fails without a mutant ({', '.join(cases)}): "
                     "fix that first; see build/results/mutants/")
    report = []
    killed = {p: 0 for p in profiles}
    invalid = 0
    try:
        for m in mutants:
            write(mutate(original, m))
            for p in profiles:
                status, cases = run(p, os.path.join(OUT, f"{m['name']}.{p}.txt"))
                killed[p] += status == "killed"
                invalid += status == "invalid"
                if status == "passed":
                    what = "SURVIVED"
                elif status == "invalid":
                    what = "INVALID " + cases[0]
                else:
                    what = "killed by " + ", ".join(cases[:4]) + \
                        (" ..." if len(cases) > 4 else "")
                line = f"{m['name']} [{p}]: {what}"
                if status == "passed" and m["note"]:
                    line += f"\n    {m['note']}"
                print(line, flush=True)
                report.append(line)
    finally:
        write(original)
    total = [f"{p}: {killed[p]}/{len(mutants)} killed" for p in profiles]
    report += total
    print("\n".join(total))
    with open(os.path.join(RESULTS, "mutants.txt"), "w") as f:
        f.write("\n".join(report) + "\n")
    if invalid:
        print(f"mutants.py: {invalid} run(s) of mutants that do not build: "
              f"fix their lines in {LIST}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
