#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make model: check model/kthread_core.pml with Spin.
#
#   safety       assertions and end states: one start, destroy, kthread_stop(),
#                park and wakeup, with a creator that may be killed (-DKILL)
#   safety-two   the same with two starters and two destroyers (-DTWO)
#   liveness     the LTL formula "returns" under weak fairness (-DKILL)
#   mutants      each planted bug (a -D flag of the model) must be found;
#                its shortest counterexample's length is reported
#
# Prints states and time for each check; fails if a check finds an error,
# or a mutant is not found.  Works in build/model.
set -uo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MODEL=$REPO/model/kthread_core.pml
WORK=$REPO/build/model
MUTANTS="READ_BEFORE_STATE_A READ_BEFORE_STATE_B EARLY_FREE NO_LOOP_MB START_IGNORES_CLAIM PARK_NO_RECHECK UNWANTED_LEAKS FAIL_IGNORES_PARK"
DEPTH=100000

for t in spin gcc; do
	command -v $t >/dev/null ||
		{ echo "model: $t is missing: install Debian's package ${t/gcc/gcc} (see make deps)" >&2; exit 1; }
done
mkdir -p "$WORK"
cd "$WORK" || exit 1
cp "$MODEL" .
fail=0

# pan NAME SPIN_FLAGS CC_FLAGS PAN_FLAGS: build and run one verifier.
pan() {
	local name=$1 sflags=$2 cflags=$3 pflags=$4
	rm -f pan.c ./*.trail
	spin -a $sflags kthread_core.pml >"$name.spin.log" 2>&1 &&
		gcc -O2 -w $cflags -o "pan-$name" pan.c >>"$name.spin.log" 2>&1 ||
		{ cat "$name.spin.log"; echo "model: $name: spin or gcc failed"; return 2; }
	"./pan-$name" -m$DEPTH $pflags >"$name.log" 2>&1
	return 0
}

summary() {
	local log=$1
	printf '%s states, %s s' \
		"$(sed -n 's/^ *\([0-9.e+]*\) states, stored.*/\1/p' "$log" | head -n1)" \
		"$(sed -n 's/^pan: elapsed time \([0-9.]*\) seconds/\1/p' "$log" | head -n1)"
}

errors() {
	sed -n 's/.*errors: \([0-9]*\)$/\1/p' "$1" | tail -n1
}

check() {
	local name=$1
	shift
	pan "$name" "$@" || { fail=1; return; }
	if [ "$(errors "$name.log")" = 0 ]; then
		echo "model: $name: ok, $(summary "$name.log")"
	else
		grep -E '^pan:[0-9]|assertion violated|invalid end|acceptance cycle' "$name.log" | head -n3
		echo "model: $name: FAILED (trail: build/model/kthread_core.pml.trail; spin -t -p to replay)"
		fail=1
	fi
}

check safety "-DKILL" "-DSAFETY -DNOCLAIM" ""
check safety-two "-DTWO -DKILL" "-DSAFETY -DNOCLAIM" ""
check liveness "-DKILL" "-DNFAIR=3" "-a -f"

for m in $MUTANTS; do
	# -i: iterative search for the shortest counterexample.
	pan "mutant-$m" "-D$m -DKILL" "-DSAFETY -DNOCLAIM" "-i" || { fail=1; continue; }
	n=$(errors "mutant-$m.log")
	if [ -z "$n" ] || [ "$n" = 0 ]; then
		echo "model: mutant $m: NOT FOUND"
		fail=1
		continue
	fi
	what=$(grep -m1 -oE 'assertion violated +.* \(at depth|invalid end state|acceptance cycle' "mutant-$m.log" |
		sed -e 's/ (at depth$//' -e 's/  */ /g')
	len=$(sed -n 's/^pan: reducing search depth to \([0-9]*\)/\1/p' "mutant-$m.log" | tail -n1)
	echo "model: mutant $m: found, ${what:-error} in $((len - 1)) steps"
done

[ $fail -eq 0 ] && echo "model: ok" || echo "model: FAILED"
exit $fail
