#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make upstream: upstream's own KUnit suites of what the series touches,
# run on the pristine base and on the base plus the series, as the 0-day
# bot would: a case that does worse with the series fails the step.
#
#   drivers/base/test  the series side is the up run's (make up), which
#                      runs these suites with drivers/base/test's
#                      kunitconfig; the base side is built and run here
#                      with the up profile's configs (UML)
#   kcsan_test         the series side is the smp-kcsan run's (make
#                      smp-kcsan), which runs kcsan_test; the base side is
#                      built and run here with that profile's configs
#                      (x86_64 under QEMU, 4 vCPUs)
#
# The base tree gets the series' Kconfig files and none of its code, so
# that both sides have the same .config (checked): the series' test
# symbols are set there but build nothing.  As the series leaves every
# widely included header alone, the base's objects are then the series'
# own objects wherever the code and headers are the same, and come from
# ccache; what differs is what the series patches (kthread.c,
# workqueue.c, the objects that include kernel/workqueue_internal.h,
# devtmpfs.c, UML's SMP start) and the version string.
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
for side in up smp-kcsan; do
	[ -f "$RESULTS/$side.json" ] ||
		fail "no $side results, the series side of the comparison: run 'make $side' first"
done
eval "$(python3 "$REPO/harness/base/cache.py" env)"
eval "$(python3 "$REPO/harness/runs/profiles.py" qemu-env)"
mkdir -p "$OUT" "$RESULTS"

if [ ! -d "$TREE/.git" ]; then
	git clone -q --shared --no-checkout "$SERIES" "$TREE" ||
		fail "cannot clone build/series/linux into $TREE"
fi
git -C "$TREE" fetch -q "$SERIES" "+refs/heads/series:refs/kthread-core/series" \
	"+refs/tags/base:refs/tags/base" || fail "cannot fetch the series into $TREE"

# The base, with the series' Kconfig files only.
git -C "$TREE" checkout -q -f --detach base || fail "cannot check out the base"
files=$(git -C "$TREE" diff --name-only base refs/kthread-core/series) ||
	fail "cannot list the files of the series in $TREE"
kconfigs=$(echo "$files" | grep -E '(^|/)Kconfig[^/]*$')
[ -z "$kconfigs" ] || git -C "$TREE" checkout -q refs/kthread-core/series -- $kconfigs ||
	fail "cannot take the series' Kconfig files ($(echo $kconfigs)) into the base"

# run PROFILE: the base built and run with PROFILE's kunit.py arguments,
# in a build dir as deep under build/upstream as the profile's under
# build/ (so that ccache sees the same relative paths); its config must
# be the profile's own.
run() {
	local name=base-$1 sub out args
	sub=$(python3 "$REPO/harness/runs/profiles.py" build-dir "$1") &&
		out=$(python3 "$REPO/harness/runs/profiles.py" kunit-args "$1") ||
		fail "no kunit.py arguments for the $1 profile (harness/runs/profiles.py)"
	eval "args=($out)"
	rm -f "$OUT/$name.json"
	say "$name: kunit.py run with the $1 profile's configs"
	(cd "$TREE" && "${KUNIT[@]}" run "${args[@]}" --build_dir="$OUT/$sub" \
		--json="$OUT/$name.json") >"$OUT/$name.txt" 2>&1
	tail -n 2 "$OUT/$name.txt" | sed 's/^/    /'
	[ -s "$OUT/$name.json" ] ||
		fail "$name: no results: see build/upstream/$name.txt"
	cmp -s <(grep '^CONFIG_' "$OUT/$sub/.config") <(grep '^CONFIG_' "$BUILD/$sub/.config") ||
		fail "$name: the base's config differs from the $1 run's (build/$sub/.config): run 'make $1' again, then this"
}
run up
run smp-kcsan

python3 "$REPO/harness/series/compare.py" \
	"drivers/base/test" "$OUT/base-up.json" "$RESULTS/up.json" "" \
	"kcsan_test" "$OUT/base-smp-kcsan.json" "$RESULTS/smp-kcsan.json" "kcsan"
