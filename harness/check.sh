#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make check: every step CI runs, in order.  A failing step does not stop
# the others; the last line counts KUnit cases over all runs, plus one
# failure for each failed step or kernel log with reports.  Each step's
# wall time is printed, and kept in build/results/steps.txt.
set -uo pipefail
cd "$(dirname "$0")/.."
RESULTS=build/results
rm -rf "$RESULTS"
mkdir -p "$RESULTS"
START=$SECONDS

step() {
	local name=$1
	shift
	echo "=== check: $name"
	local t0=$SECONDS
	if ! "$@"; then
		touch "$RESULTS/$name.failed"
		echo "=== check: $name FAILED ($((SECONDS - t0))s)"
	else
		echo "=== check: $name ok ($((SECONDS - t0))s)"
	fi
	echo "$name $((SECONDS - t0))" >>"$RESULTS/steps.txt"
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
echo "=== check: all steps in $((SECONDS - START))s"
python3 harness/runs/summary.py "$RESULTS"
