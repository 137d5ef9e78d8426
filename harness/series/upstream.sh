#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make upstream: upstream's own KUnit suites of what the series touches,
# run on the pristine base and on the base plus the series, as the 0-day
# bot would: any case whose result differs fails the step.
#
#   drivers/base/test  kunit.py run --kunitconfig=drivers/base/test (UML),
#                      built in one tree checked out at the base, then at
#                      the series, so that the second build is incremental
#   kcsan_test         under KCSAN on x86_64 with 4 vCPUs: the base with
#                      kernel/kcsan's kunitconfig and the KCSAN profile's
#                      settings; the series side is the smp-kcsan run's
#                      (make smp-kcsan), which runs kcsan_test too
#
# Needs build/series/linux from make patches.  Works in build/upstream.
set -uo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-$REPO/build}
SERIES=$BUILD/series/linux
OUT=$BUILD/upstream
TREE=$OUT/linux
RESULTS=$BUILD/results
KUNIT=(python3 tools/testing/kunit/kunit.py)

fail() {
	echo "upstream: FAILED: $*" >&2
	exit 1
}

say() {
	echo "upstream: $*"
}

git -C "$SERIES" rev-parse -q --verify series >/dev/null ||
	fail "no series in build/series/linux: run 'make patches' first"
[ -f "$RESULTS/smp-kcsan.json" ] ||
	fail "no smp-kcsan results, the series side of kcsan_test: run 'make smp-kcsan' first"
eval "$(python3 "$REPO/harness/base/cache.py" env)"
eval "$(python3 "$REPO/harness/runs/profiles.py" qemu-env)"
mkdir -p "$OUT" "$RESULTS"

if [ ! -d "$TREE/.git" ]; then
	git clone -q --shared --no-checkout "$SERIES" "$TREE" ||
		fail "cannot clone build/series/linux into $TREE"
fi
git -C "$TREE" fetch -q "$SERIES" "+refs/heads/series:refs/kthread-core/series" \
	"+refs/tags/base:refs/tags/base" || fail "cannot fetch the series into $TREE"

# run NAME LOG kunit.py-arguments...: one kunit.py run in $TREE.
run() {
	local name=$1 log=$2
	shift 2
	say "$name: kunit.py run $*"
	(cd "$TREE" && "${KUNIT[@]}" run "$@" --json="$OUT/$name.json") >"$log" 2>&1
	tail -n 2 "$log" | sed 's/^/    /'
}

git -C "$TREE" checkout -q -f --detach base || fail "cannot check out the base"
run base-drivers-base "$OUT/base-drivers-base.txt" \
	--kunitconfig=drivers/base/test --build_dir="$OUT/drivers-base"
run base-kcsan "$OUT/base-kcsan.txt" --arch=x86_64 \
	--kunitconfig=kernel/kcsan --kunitconfig="$REPO/tools/testing/kunit/configs/kthread_kcsan.config" \
	--build_dir="$OUT/kcsan-base" "--qemu_args=-smp 4 -m 2048 -accel $ACCEL" --timeout 1200

git -C "$TREE" checkout -q -f --detach refs/kthread-core/series || fail "cannot check out the series"
run series-drivers-base "$OUT/series-drivers-base.txt" \
	--kunitconfig=drivers/base/test --build_dir="$OUT/drivers-base"

python3 "$REPO/harness/series/compare.py" \
	"drivers/base/test" "$OUT/base-drivers-base.json" "$OUT/series-drivers-base.json" "" \
	"kcsan_test" "$OUT/base-kcsan.json" "$RESULTS/smp-kcsan.json" "kcsan"
