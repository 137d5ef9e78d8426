#!/bin/bash
# make lint: checkpatch --strict on the patches and the new files,
# kernel-doc -Wall on what the project documents, a W=1 build of its
# objects and sparse on them.  Uses the default build dir (make first).
set -uo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
TREE=$REPO/build/linux
OBJ=$REPO/build/kunit
# Build through ccache as run.py does: the same compile commands.
eval "$(python3 "$REPO/harness/cache.py" env)"
cd "$TREE" || { echo "lint: build/linux is not prepared: run make prepare" >&2; exit 1; }
[ -f "$OBJ/.config" ] || { echo "lint: $OBJ has no build yet: run make first" >&2; exit 1; }

fail=0
NEW=$(cd "$REPO" && ls kernel/*.c kernel/*.h)
OBJS=$(for f in $NEW; do case $f in *.c) echo "${f%.c}.o";; esac; done)

echo "lint: checkpatch --strict"
for p in "$REPO"/patches/*.patch; do
	scripts/checkpatch.pl --strict --quiet --no-summary "$p" || fail=1
done
for f in $NEW; do
	scripts/checkpatch.pl --strict --quiet --no-summary -f "$f" || fail=1
done

echo "lint: kernel-doc -Wall"
# The patched upstream files have warnings of their own: keep ours.
out=$( { scripts/kernel-doc -none -Wall $NEW
	scripts/kernel-doc -none -Wall kernel/workqueue.c include/linux/kthread.h 2>&1 |
		grep -E 'keventd_up|kthread_core'
	} 2>&1)
[ -z "$out" ] || { echo "$out"; fail=1; }

echo "lint: W=1 build of $(echo $OBJS kernel/workqueue.o)"
out=$(make -s ARCH=um O="$OBJ" W=1 $OBJS kernel/workqueue.o 2>&1)
echo "$out" | grep -E 'warning:|error:' && fail=1

echo "lint: sparse (C=2)"
out=$(make -s ARCH=um O="$OBJ" C=2 $OBJS 2>&1 | grep -E 'kthread_(core|test|bench)\.[ch]:[0-9]+')
[ -z "$out" ] || { echo "$out"; fail=1; }

echo "lint: W=1 build without KUnit (UML defconfig), as a merged kernel has it"
NOKUNIT=$REPO/build/lint-nokunit
make -s ARCH=um O="$NOKUNIT" defconfig >/dev/null 2>&1 || fail=1
out=$(make -s ARCH=um O="$NOKUNIT" W=1 kernel/kthread_core.o kernel/workqueue.o 2>&1)
[ -z "$out" ] || { echo "$out"; fail=1; }

# Put the objects back to the default build's flags.
make -s ARCH=um O="$OBJ" $OBJS kernel/workqueue.o >/dev/null 2>&1

[ $fail -eq 0 ] && echo "lint: clean" || echo "lint: FAILED"
exit $fail
