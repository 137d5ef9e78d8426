#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make lint: checkpatch --strict on the patches and the new files,
# kernel-doc -Wall on what the project documents, W=1 builds of its
# objects with gcc (w1config.sh's config, in a build dir of its own) and
# with clang (the clang build), sparse on them, and a W=1 build of them
# without KUnit.
set -uo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
TREE=$REPO/build/linux
OBJ=$REPO/build/lint-gcc
DEFAULT=$REPO/build/$(python3 "$REPO/harness/runs/profiles.py" build-dir default) ||
	{ echo "lint: no default profile (harness/runs/profiles.py)" >&2; exit 1; }
CLANG_OBJ=$REPO/build/kunit-clang
# Build through ccache as run.py does: the same compile commands.
eval "$(python3 "$REPO/harness/base/cache.py" env)"
cd "$TREE" || { echo "lint: build/linux is not prepared: run make prepare" >&2; exit 1; }
[ -f "$DEFAULT/.config" ] || { echo "lint: $DEFAULT has no build yet: run make first" >&2; exit 1; }
[ -f "$CLANG_OBJ/.config" ] || { echo "lint: $CLANG_OBJ has no build yet: run make clang first" >&2; exit 1; }

fail=0
NEW=$(cd "$REPO" && ls include/linux/*.h kernel/*.c kernel/*.h drivers/base/test/*.c drivers/block/aoe/*.c)
# The project's objects: its new files and the upstream files it patches.
OBJS="$(for f in $NEW; do case $f in *.c) echo "${f%.c}.o";; esac; done)
kernel/kthread.o kernel/workqueue.o drivers/base/devtmpfs.o
drivers/block/aoe/aoecmd.o drivers/block/aoe/aoenet.o"
OBJS=$(echo $OBJS)
# The clang build has no block layer, so no aoe (only debug runs it).
CLANG_OBJS=$(echo "$OBJS" | tr ' ' '\n' | grep -v '^drivers/block/aoe/' | paste -sd' ')
# Where a warning counts: the project's files and the files it patches.
OURS=$( {
	echo "$NEW"
	sed -n 's|^+++ b/||p' "$REPO"/patches/*.patch
} | LC_ALL=C sort -u | sed 's|[.]|[.]|g' | paste -sd'|')

echo "lint: checkpatch --strict"
for p in "$REPO"/patches/*.patch; do
	scripts/checkpatch.pl --strict --quiet --no-summary "$p" || fail=1
done
for f in $NEW; do
	scripts/checkpatch.pl --strict --quiet --no-summary -f "$REPO/$f" || fail=1
done

echo "lint: kernel-doc -Wall"
# The patched upstream files have warnings of their own: keep ours.
out=$( { scripts/kernel-doc -none -Wall $NEW
	scripts/kernel-doc -none -Wall kernel/workqueue.c kernel/workqueue_internal.h kernel/kthread.c 2>&1 |
		grep -E 'keventd_up|kthread_core|_core\(|__kthread_stop'
	} 2>&1)
[ -z "$out" ] || { echo "$out"; fail=1; }

echo "lint: gcc W=1 build of $OBJS"
"$REPO/harness/checks/w1config.sh" "$TREE" "$DEFAULT/.config" "$OBJ" || fail=1
# Compile them every time (ccache gives back their warnings): up-to-date
# objects would hide the warnings of an earlier lint.
(cd "$OBJ" && rm -f $OBJS)
out=$(make -s ARCH=um O="$OBJ" W=1 $OBJS 2>&1)
echo "$out" | grep -E 'warning:|error:' && fail=1

echo "lint: clang 19 W=1 build of the same objects but aoe's (warnings in the project's files)"
out=$(make -s ARCH=um LLVM=-19 O="$CLANG_OBJ" W=1 $CLANG_OBJS 2>&1)
rc=$?
ours=$(echo "$out" | grep -E "^($TREE/)?($OURS):[0-9]+:[0-9]+: (warning|error):")
if [ $rc -ne 0 ] || [ -n "$ours" ]; then
	echo "${ours:-$(echo "$out" | tail -n 20)}"
	fail=1
fi
others=$(echo "$out" | grep -c 'warning:')
echo "lint: clang: ${others} warnings from upstream headers the objects include, none from the project's files"

echo "lint: sparse (C=2)"
out=$(make -s ARCH=um O="$OBJ" C=2 $OBJS 2>&1 | grep -E 'kthread_(core|test|bench)\.[ch]:[0-9]+|devtmpfs(-test)?\.c:[0-9]+|aoe(-test|cmd|net)\.c:[0-9]+')
[ -z "$out" ] || { echo "$out"; fail=1; }

echo "lint: W=1 build without KUnit (UML defconfig), as a merged kernel has it"
NOKUNIT=$REPO/build/lint-nokunit
make -s ARCH=um O="$NOKUNIT" defconfig >/dev/null 2>&1 || fail=1
out=$(make -s ARCH=um O="$NOKUNIT" W=1 kernel/kthread_core.o kernel/kthread.o kernel/workqueue.o 2>&1)
[ -z "$out" ] || { echo "$out"; fail=1; }

# Put the clang build's objects back to its flags.
make -s ARCH=um LLVM=-19 O="$CLANG_OBJ" $CLANG_OBJS >/dev/null 2>&1

[ $fail -eq 0 ] && echo "lint: clean" || echo "lint: FAILED"
exit $fail
