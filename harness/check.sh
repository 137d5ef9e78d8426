#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make check: every step CI runs, in order.  A failing step does not stop
# the others; the last line counts KUnit cases over all runs, plus one
# failure for each failed step or kernel log with reports.  Each step's
# wall time and ccache misses and hits are printed, and kept in
# build/results/steps.txt with their totals.
set -uo pipefail
cd "$(dirname "$0")/.."
RESULTS=build/results
rm -rf "$RESULTS"
mkdir -p "$RESULTS"
START=$SECONDS
# CI stops at 90 minutes: a run that began with an empty ccache warns once
# its steps pass half of that.
BUDGET=2700
counts() { python3 harness/base/cache.py counts 2>/dev/null || echo "0 0 -1"; }
read -r MISSES0 HITS0 KIB0 <<<"$(counts)"
COLD=$((KIB0 == 0))
# -1: no ccache statistics (cache.py failed), so no misses or hits either.
CACHE=$([ "$KIB0" = -1 ] && echo "no ccache statistics" ||
	{ [ "$COLD" = 1 ] && echo "from an empty cache" || echo "cache warm"; })
WARNED=0
printf '%-14s %6s %8s %8s\n' step seconds misses hits >"$RESULTS/steps.txt"

step() {
	local name=$1 t0=$SECONDS m0 h0 m1 h1 kib
	shift
	read -r m0 h0 kib <<<"$(counts)"
	echo "=== check: $name"
	if ! "$@"; then
		touch "$RESULTS/$name.failed"
		echo "=== check: $name FAILED ($((SECONDS - t0))s)"
	else
		echo "=== check: $name ok ($((SECONDS - t0))s)"
	fi
	read -r m1 h1 kib <<<"$(counts)"
	printf '%-14s %6d %8d %8d\n' "$name" $((SECONDS - t0)) $((m1 - m0)) \
		$((h1 - h0)) >>"$RESULTS/steps.txt"
	if [ "$COLD" = 1 ] && [ "$WARNED" = 0 ] &&
		[ $((SECONDS - START)) -gt "$BUDGET" ]; then
		WARNED=1
		echo "=== check: WARNING: $(((SECONDS - START) / 60)) min of steps from an empty cache, past the budget of $((BUDGET / 60)): CI stops at 90; see build/results/steps.txt for where the time goes"
	fi
}

if ! harness/base/deps.sh lcov genhtml sparse qemu-system-x86_64 libelf \
	sphinx-build ply gitpython spin clang ||
	! harness/base/prepare.sh; then
	touch "$RESULTS/prepare.failed"
else
	step selftest python3 -m unittest discover -s harness/tests
	step model harness/checks/model.sh
	step default python3 harness/runs/run.py default
	step debug python3 harness/runs/run.py debug
	step up python3 harness/runs/run.py up
	step clang python3 harness/runs/run.py clang
	step coverage python3 harness/runs/coverage.py
	step smp-kcsan python3 harness/runs/run.py smp-kcsan
	step lint harness/checks/lint.sh
	step docs harness/checks/docs.sh
	# Without a git identity (CI), the series is signed by a stand-in.
	step patches env KTHREAD_CORE_STANDIN=1 harness/series/series.sh
	step patches-check harness/series/patches-check.sh
	step upstream harness/series/upstream.sh
fi
read -r MISSES HITS _ <<<"$(counts)"
printf '%-14s %6d %8d %8d\n' total $((SECONDS - START)) $((MISSES - MISSES0)) \
	$((HITS - HITS0)) >>"$RESULTS/steps.txt"
cat "$RESULTS/steps.txt"
echo "=== check: all steps in $((SECONDS - START))s ($CACHE)"
python3 harness/runs/summary.py "$RESULTS"
