#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""make bench: run the kthread_core_bench suite on 4 UML CPUs, tabulate it.

usage: bench.py [extra kunit.py exec arguments]

Builds and boots the bench profile (build/kunit-bench), reads the
"bench:" lines the suite prints, and prints a table of kthread_core's and
upstream's medians with their ratio (kthread_core / upstream: below 1.0
means kthread_core is cheaper), and the lifecycles against the floor.
Writes build/bench.json.
"""
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run  # noqa: E402

LINE = re.compile(r"bench: (\w+) core_ns=(-?\d+) core_iqr=(-?\d+)% "
                  r"upstream_ns=(-?\d+) upstream_iqr=(-?\d+)%")
FLOOR = re.compile(r"bench: floor floor_ns=(-?\d+) floor_iqr=(-?\d+)%")
WHAT = {
    "floor": "kernel_thread() of a function that exits, and the wait for it, on one CPU",
    "lifecycle": "run + destroy vs kthread_run, body running, kthread_stop",
    "lifecycle_nowait": "run + destroy vs kthread_run + kthread_stop at once",
    "create_same_cpu": "creation, the thread then bound to the caller's CPU",
    "start_same_cpu": "start or wakeup until the body runs, on the caller's CPU",
    "stop_same_cpu": "destroy or kthread_stop, on the caller's CPU",
    "lifecycle_same_cpu": "the three, bound to the caller's CPU",
    "create_other_cpu": "creation, the thread then bound to another CPU",
    "start_other_cpu": "start or wakeup until the body runs, on another CPU",
    "stop_other_cpu": "destroy or kthread_stop, on another CPU",
    "lifecycle_other_cpu": "the three, bound to another CPU",
    "wake_latency": "wake_up_process() to corefn vs to loop body",
    "churn_4x": "4 concurrent callers, per lifecycle",
    "create_keventd": "kthread_core_create via keventd vs kthread_create",
    "create_direct": "kthread_core_create direct vs kthread_create",
}


def parse(lines):
    rows = []
    for line in lines:
        m = FLOOR.search(line)
        if m:
            rows.append({"metric": "floor", "what": WHAT["floor"],
                         "core_median_ns": int(m.group(1)),
                         "core_iqr_pct": int(m.group(2)),
                         "upstream_median_ns": None, "upstream_iqr_pct": None,
                         "ratio": None})
            continue
        m = LINE.search(line)
        if m:
            name = m.group(1)
            core, ciqr, up, uiqr = (int(x) for x in m.groups()[1:])
            rows.append({"metric": name, "what": WHAT.get(name, ""),
                         "core_median_ns": core, "core_iqr_pct": ciqr,
                         "upstream_median_ns": up, "upstream_iqr_pct": uiqr,
                         "ratio": round(core / up, 3) if up else None})
    return rows


def us(ns, iqr):
    if ns is None:
        return f"{'-':>9}    {'':>4} "
    return f"{ns / 1000:>9.2f} us ±{iqr:>3}%"


def table(rows):
    out = [f"{'metric':<20} {'kthread_core median':>20} {'upstream median':>19} {'ratio':>6}"]
    for r in rows:
        ratio = f"{r['ratio']:.2f}" if r["ratio"] is not None else "-"
        out.append(f"{r['metric']:<20} {us(r['core_median_ns'], r['core_iqr_pct'])} "
                   f"{us(r['upstream_median_ns'], r['upstream_iqr_pct'])} {ratio:>6}")
    floor = next((r for r in rows if r["metric"] == "floor"), None)
    if floor and floor["core_median_ns"]:
        f = floor["core_median_ns"]
        for r in rows:
            if r["metric"].startswith("lifecycle") and r["upstream_median_ns"]:
                out.append(f"{r['metric']}: kthread_core {r['core_median_ns'] / f:.1f}x "
                           f"the floor, upstream {r['upstream_median_ns'] / f:.1f}x")
    return "\n".join(out)


def main(argv):
    profile = "bench"
    rc = run.run(profile, argv[1:])
    log = os.path.join(run.RESULTS, profile + ".log")
    if not os.path.exists(log):
        print("bench: no kernel log: the bench kernel did not build or boot")
        return 1
    with open(log, errors="replace") as f:
        rows = parse(f)
    if not rows:
        print("bench: the suite printed no bench lines")
        return 1
    print()
    print(table(rows))
    print("(median over rounds, ± interquartile range as % of the median; "
          "ratio = kthread_core / upstream)")
    out = os.path.join(run.BUILD, profile + ".json")
    with open(out, "w") as f:
        json.dump({"unit": "ns", "profile": profile, "rows": rows}, f, indent=1)
    print(f"bench: wrote {os.path.relpath(out, run.REPO)}")
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv))
