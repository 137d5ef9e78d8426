#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""make bench: run the kthread_core_bench suite on 4 UML CPUs, tabulate it.

usage: bench.py [extra kunit.py exec arguments]

Builds and boots the bench profile (build/kunit-bench), reads the
"bench:" lines the suite prints (every round's figure for each API), and
prints a table of kthread_core's and upstream's medians with their ratio
(kthread_core / upstream: below 1.0 means kthread_core is cheaper) and
the ratio's 95% confidence interval, a bootstrap over the paired rounds;
then the lifecycles against the floor, and the kworkers forked during the
burst.  Writes build/bench.json.
"""
import json
import os
import random
import re
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run  # noqa: E402

LINE = re.compile(r"bench: (\w+) (core|upstream|floor)_ns=([-\d,]+)(?: kworkers=(\d+),(\d+))?")
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
    "burst_16": "16 creators at once, until the last creation returned, per creation",
    "create_kthreadd": "kthread_core_create through kthreadd vs kthread_create",
    "create_direct": "kthread_core_create forked by the caller vs kthread_create",
}
LIMIT = 1.05      # the target: no median ratio above it
RESAMPLES = 2000  # bootstrap resamples for each interval


def median(v):
    v = sorted(v)
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


def iqr_pct(v):
    """The interquartile range as a percentage of the median."""
    q = statistics.quantiles(v, n=4)
    m = median(v)
    return round(100 * (q[2] - q[0]) / m) if m else 0


def ratio_ci(core, up, rng):
    """Median(core) / median(upstream) and its 95% bootstrap interval.

    The rounds are paired (both APIs ran in each, in alternating order),
    so a resample draws whole rounds."""
    n = min(len(core), len(up))
    ratios = []
    for _ in range(RESAMPLES):
        idx = [rng.randrange(n) for _ in range(n)]
        u = median([up[i] for i in idx])
        if u:
            ratios.append(median([core[i] for i in idx]) / u)
    ratios.sort()
    lo = ratios[int(0.025 * len(ratios))]
    hi = ratios[int(0.975 * len(ratios)) - 1]
    return median(core) / median(up), lo, hi


def parse(lines, seed=1):
    """Rows of the bench lines: medians, spreads, ratio and its interval."""
    series, kworkers, order = {}, {}, []
    for line in lines:
        m = LINE.search(line)
        if not m:
            continue
        name, api = m.group(1), m.group(2)
        if name not in series:
            series[name] = {}
            order.append(name)
        series[name][api] = [int(x) for x in m.group(3).split(",") if x]
        if m.group(4) is not None:
            kworkers[name] = (int(m.group(4)), int(m.group(5)))
    rng = random.Random(seed)
    rows = []
    for name in order:
        s = series[name]
        core = s.get("core") or s.get("floor")
        up = s.get("upstream")
        row = {"metric": name, "what": WHAT.get(name, ""), "rounds": len(core),
               "core_median_ns": median(core), "core_iqr_pct": iqr_pct(core),
               "upstream_median_ns": None, "upstream_iqr_pct": None,
               "ratio": None, "ci95": None}
        if up:
            r, lo, hi = ratio_ci(core, up, rng)
            row.update(upstream_median_ns=median(up), upstream_iqr_pct=iqr_pct(up),
                       ratio=round(r, 3), ci95=[round(lo, 3), round(hi, 3)])
        if name in kworkers:
            row["kworkers_forked"] = {"core": kworkers[name][0],
                                      "upstream": kworkers[name][1]}
        rows.append(row)
    return rows


def us(ns, iqr):
    if ns is None:
        return f"{'-':>9}    {'':>4} "
    return f"{ns / 1000:>9.2f} us ±{iqr:>3}%"


def verdict(r):
    if r["ratio"] is None:
        return ""
    if r["ci95"][0] > LIMIT:
        return "slower"
    return "ok" if r["ratio"] <= LIMIT else "above"


def table(rows):
    out = [f"{'metric':<20} {'kthread_core median':>20} {'upstream median':>19} "
           f"{'ratio':>6} {'95% interval':>14}"]
    for r in rows:
        ratio = f"{r['ratio']:.2f}" if r["ratio"] is not None else "-"
        ci = f"{r['ci95'][0]:.2f}-{r['ci95'][1]:.2f}" if r["ci95"] else "-"
        out.append(f"{r['metric']:<20} {us(r['core_median_ns'], r['core_iqr_pct'])} "
                   f"{us(r['upstream_median_ns'], r['upstream_iqr_pct'])} {ratio:>6} "
                   f"{ci:>14} {verdict(r)}")
    floor = next((r for r in rows if r["metric"] == "floor"), None)
    if floor and floor["core_median_ns"]:
        f = floor["core_median_ns"]
        for r in rows:
            if r["metric"].startswith("lifecycle") and r["upstream_median_ns"]:
                out.append(f"{r['metric']}: kthread_core {r['core_median_ns'] / f:.1f}x "
                           f"the floor, upstream {r['upstream_median_ns'] / f:.1f}x")
    for r in rows:
        if "kworkers_forked" in r:
            k = r["kworkers_forked"]
            out.append(f"{r['metric']}: kworkers forked during the bursts: "
                       f"kthread_core {k['core']}, upstream {k['upstream']}")
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
          "ratio = kthread_core / upstream, with its 95% bootstrap interval over "
          f"the rounds; ok: ratio <= {LIMIT}, above: ratio > {LIMIT}, "
          f"slower: the whole interval > {LIMIT})")
    out = os.path.join(run.BUILD, profile + ".json")
    with open(out, "w") as f:
        json.dump({"unit": "ns", "profile": profile, "rows": rows}, f, indent=1)
    print(f"bench: wrote {os.path.relpath(out, run.REPO)}")
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv))
