#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make model: check model/kthread_core.pml with Spin.
#
#   safety       assertions and end states: a start, a destroy and a
#                kthread_stop() that race it (or a destroy after it), a park,
#                and a user's work and wakeup, with a creator that may fail
#                (-DKILL)
#   safety-two   the same with two starters and two destroyers, and no
#                park or work (-DTWO): three stoppers at once
#   liveness     the LTL formula "returns" under weak fairness (-DKILL)
#   liveness-two the same with -DTWO
#   mutants      each planted bug (a -D flag of the model) must be found;
#                its shortest counterexample's length is reported
#
# Prints states and time for each check; fails if a check finds an error,
# or a mutant is not found.  Runs one verifier per CPU, each in its own
# directory of build/model.
set -uo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
MODEL=$REPO/model/kthread_core.pml
WORK=$REPO/build/model
MUTANTS="READ_BEFORE_STATE_A READ_BEFORE_STATE_B NO_LOOP_MB COREFN_PLAIN_LOCKLESS
	THREAD_NO_STOP_CHECK DESTROY_NO_WAIT STOP_ONE_WAITER HOOK_NO_COMPLETE_INIT
	HOOK_ALWAYS_REAP REAP_TWICE START_NO_STOP_ON_FAIL FAIL_IGNORES_PARK"
DEPTH=100000

for t in spin gcc; do
	command -v $t >/dev/null ||
		{ echo "model: $t is missing: install Debian's package ${t/gcc/gcc} (see make deps)" >&2; exit 1; }
done
JOBS=$(nproc 2>/dev/null || echo 1)
rm -rf "$WORK"
mkdir -p "$WORK" || exit 1
fail=0

# pan NAME SPIN_FLAGS CC_FLAGS PAN_FLAGS: build and run one verifier in
# build/model/NAME.
pan() {
	local name=$1 sflags=$2 cflags=$3 pflags=$4
	mkdir -p "$WORK/$name" && cd "$WORK/$name" && cp "$MODEL" . || return 2
	spin -a $sflags kthread_core.pml >spin.log 2>&1 &&
		gcc -O2 -w $cflags -o pan pan.c >>spin.log 2>&1 ||
		{ cat spin.log; echo "model: $name: spin or gcc failed"; return 2; }
	./pan -m$DEPTH $pflags >pan.log 2>&1
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

# check NAME FLAGS...: a check that must find no error.
check() {
	local name=$1
	shift
	pan "$name" "$@" || return 1
	if [ "$(errors pan.log)" = 0 ]; then
		echo "model: $name: ok, $(summary pan.log)"
	else
		grep -E '^pan:[0-9]|assertion violated|invalid end|acceptance cycle' pan.log | head -n3
		echo "model: $name: FAILED (trail: build/model/$name/kthread_core.pml.trail; spin -t -p to replay)"
		return 1
	fi
}

# mutant NAME: a planted bug that must be found; -i searches iteratively
# for the shortest counterexample (exactly with -DREACH).  Built with -O0:
# the searches are short, and gcc's -O2 takes longer than they do.
mutant() {
	local m=$1 n what len
	pan "mutant-$m" "-D$m -DKILL" "-O0 -DSAFETY -DNOCLAIM -DREACH" "-i" || return 1
	n=$(errors pan.log)
	if [ -z "$n" ] || [ "$n" = 0 ]; then
		echo "model: mutant $m: NOT FOUND"
		return 1
	fi
	# -i reports each shorter counterexample that it finds: the last one
	what=$(grep -E '^pan:[0-9]+: ' pan.log | tail -n1 |
		grep -oE 'assertion violated +.* \(at depth|invalid end state|acceptance cycle' |
		sed -e 's/ (at depth$//' -e 's/  */ /g')
	len=$(sed -n 's/^pan: reducing search depth to \([0-9]*\)/\1/p' pan.log | tail -n1)
	echo "model: mutant $m: found, ${what:-error} in $((len - 1)) steps"
}

# The verifiers are independent: run up to one per CPU, each into its
# own output file, and print the outputs in this order: the longest,
# liveness-two, first, so that the others run beside it.
order=()
spawn() {
	while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do
		wait -n
	done
	order+=("$1-$2")
	( "$@" >"$WORK/$1-$2.out" 2>&1; echo $? >"$WORK/$1-$2.rc" ) &
}

spawn check liveness-two "-DTWO -DKILL" "-DNFAIR=3" "-a -f"
spawn check safety "-DKILL" "-DSAFETY -DNOCLAIM" ""
spawn check safety-two "-DTWO -DKILL" "-DSAFETY -DNOCLAIM" ""
spawn check liveness "-DKILL" "-DNFAIR=3" "-a -f"
for m in $MUTANTS; do
	spawn mutant "$m"
done
wait

for o in "${order[@]}"; do
	cat "$WORK/$o.out"
	[ "$(cat "$WORK/$o.rc" 2>/dev/null)" = 0 ] || fail=1
done

[ $fail -eq 0 ] && echo "model: ok" || echo "model: FAILED"
exit $fail
