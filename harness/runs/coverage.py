#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""make coverage: line and branch coverage of the project's own kernel code.

Runs the suite in the coverage profile's build (the default run's config,
with gcc's --coverage on the project's two objects: profiles.py), collects
the .gcda files with lcov, keeps kernel/kthread_core.c and the keventd_up()
hunk of kernel/workqueue.c, writes an HTML report to build/coverage/ and
prints one summary line.  Exits non-zero if line coverage of
kthread_core.c is below MIN_LINES percent.
"""
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run  # noqa: E402

OUT = os.path.join(run.BUILD, "coverage")
OBJ = os.path.join(run.BUILD, run.PROFILES["coverage"].build_dir)
MIN_LINES = 95.0
RC = ["--rc", "lcov_branch_coverage=1"]


def function_lines(path, name):
    """First and last line of C function @name in @path."""
    with open(path) as f:
        lines = f.readlines()
    start = next(i for i, l in enumerate(lines, 1)
                 if re.match(rf"\w.*\b{name}\(", l))
    end = next(i for i, l in enumerate(lines, 1) if i > start and l == "}\n")
    return start, end


def keep(records, src):
    """Keep kthread_core.c whole, and only keventd_up() of workqueue.c."""
    if src.endswith("/kernel/kthread_core.c"):
        return records
    lo, hi = function_lines(src, "keventd_up")

    def inside(rec):
        m = re.match(r"(DA|BRDA|FN):(\d+)", rec)
        return not m or lo <= int(m.group(2)) <= hi
    kept = [r for r in records if inside(r)]
    names = {r.split(",", 1)[1] for r in kept if r.startswith("FN:")}
    return [r for r in kept
            if not r.startswith("FNDA:") or r.split(",", 1)[1] in names]


def recount(records):
    """Rewrite the LF/LH/BRF/BRH/FNF/FNH totals of one file's records."""
    da = [r for r in records if r.startswith("DA:")]
    br = [r for r in records if r.startswith("BRDA:")]
    fnda = [r for r in records if r.startswith("FNDA:")]
    body = [r for r in records if not re.match(r"(LF|LH|BRF|BRH|FNF|FNH):", r)]
    body += [f"FNF:{len(fnda)}",
             f"FNH:{sum(r[5:].split(',')[0] != '0' for r in fnda)}",
             f"BRF:{len(br)}",
             f"BRH:{sum(r.rsplit(',', 1)[1] not in ('-', '0') for r in br)}",
             f"LF:{len(da)}",
             f"LH:{sum(r.split(',')[1] != '0' for r in da)}"]
    return body


def filter_info(src_info, dst_info):
    """Keep the project's own code; return {file: (lf, lh, brf, brh)}."""
    totals, out, cur = {}, [], None
    with open(src_info) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("SF:"):
                cur = [line]
            elif line == "end_of_record" and cur:
                src = os.path.realpath(cur[0][3:])
                if re.search(r"/kernel/(kthread_core|workqueue)\.c$", cur[0]):
                    recs = recount(keep(cur[1:], src))
                    out += [cur[0]] + recs + [line]
                    t = dict(r.split(":", 1) for r in recs
                             if re.match(r"(LF|LH|BRF|BRH):", r))
                    totals[os.path.basename(cur[0][3:])] = tuple(
                        int(t[k]) for k in ("LF", "LH", "BRF", "BRH"))
                cur = None
            elif cur is not None:
                cur.append(line)
    with open(dst_info, "w") as f:
        f.write("TN:\n" + "\n".join(out) + "\n")
    return totals


def pct(hit, found):
    return 100.0 * hit / found if found else 100.0


def main():
    for gcda in subprocess.run(["find", OBJ, "-name", "*.gcda"],
                               capture_output=True, text=True).stdout.split():
        os.remove(gcda)
    rc = run.run("coverage", [])
    os.makedirs(OUT, exist_ok=True)
    raw, info = os.path.join(OUT, "raw.info"), os.path.join(OUT, "kthread_core.info")
    cap = subprocess.run(["lcov", "-q", "--capture", "--directory",
                          os.path.join(OBJ, "kernel"), "--output-file", raw] + RC,
                         capture_output=True, text=True)
    if cap.returncode != 0 or not os.path.exists(raw):
        print(cap.stdout + cap.stderr)
        print("coverage: lcov found no data: did the UML kernel halt cleanly?")
        return 1
    totals = filter_info(raw, info)
    if "kthread_core.c" not in totals:
        print("coverage: no data for kernel/kthread_core.c")
        return 1
    subprocess.run(["genhtml", "-q", "--branch-coverage", "--legend",
                    "--title", "kthread_core", "--output-directory", OUT, info],
                   check=True)
    for name, (lf, lh, brf, brh) in sorted(totals.items(), reverse=True):
        what = name if name == "kthread_core.c" else name + " (keventd_up)"
        print(f"{what}: lines {pct(lh, lf):.1f}% ({lh}/{lf}), "
              f"branches {pct(brh, brf):.1f}% ({brh}/{brf})")
    print(f"coverage: HTML report in {os.path.relpath(OUT, run.REPO)}/index.html")
    lf, lh, _, _ = totals["kthread_core.c"]
    if pct(lh, lf) < MIN_LINES:
        print(f"coverage: FAILED: kthread_core.c line coverage is below {MIN_LINES}%")
        return 1
    return rc


if __name__ == "__main__":
    sys.exit(main())
