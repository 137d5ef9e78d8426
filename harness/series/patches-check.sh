#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make patches-check: the series in build/patches (from make patches) is
# what the repository holds, and is fit to send:
#   1. git am applies it to a fresh git repository of the pristine base;
#   2. the result equals build/linux with the overlay resolved, but for
#      the fork-only files of harness/series/series.conf;
#   3. checkpatch.pl --strict finds nothing in any patch;
#   4. after each patch, the objects it touches compile with W=1 and no
#      warning the base did not have (UML, the default run's config plus
#      the benchmark, devtmpfs and its suite);
#   5. the final tree builds in full and the suite passes on it, run with
#      the kunit.py command of Documentation/core-api/kthread_core.rst as
#      written there, and its kernel log is clean.  The default run is
#      the same command in build/linux/.kunit, so every object of this
#      build is in ccache already: same config, same relative paths.
set -uo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-$REPO/build}
TREE=$BUILD/linux
WORK=$BUILD/series/linux
OUT=$BUILD/patches
CHECK=$BUILD/series-check/linux
W1=$BUILD/series-check/w1
# The default run's build dir: its config is the W=1 builds' (4.).
DEFAULT=$BUILD/$(python3 "$REPO/harness/runs/profiles.py" build-dir default) ||
	{ echo "patches-check: FAILED: no default profile (harness/runs/profiles.py)" >&2; exit 1; }
PLACEHOLDER='kthread_core developers <kthread-core@example.org>'

fail() {
	echo "patches-check: FAILED: $*" >&2
	exit 1
}

say() {
	echo "patches-check: $*"
}

eval "$(python3 "$REPO/harness/base/cache.py" env)"
ls "$OUT"/0001-*.patch >/dev/null 2>&1 ||
	fail "no series in build/patches: run 'make patches' first"
git -C "$WORK" rev-parse -q --verify base >/dev/null ||
	fail "build/series/linux has no base: run 'make patches' first"
mapfile -t patches < <(ls "$OUT"/*.patch | grep -v /0000-cover-letter.patch)

# 1. git am on a fresh repository of the pristine base.
rm -rf "$CHECK"
git clone -q --shared --no-checkout "$WORK" "$CHECK" &&
	git -C "$CHECK" checkout -q -b check base ||
	fail "cannot make a repository of the base in $CHECK"
export GIT_COMMITTER_NAME=patches-check GIT_COMMITTER_EMAIL=patches-check@invalid
if ! git -C "$CHECK" am -q "${patches[@]}"; then
	bad=$(git -C "$CHECK" am --show-current-patch=raw 2>/dev/null | sed -n 's/^Subject: //p')
	git -C "$CHECK" am --abort
	fail "git am stops at \"$bad\": the series does not apply to the base"
fi
say "git am: ${#patches[@]} patches apply cleanly to the base"

# 2. The series and the repository agree.  The M: line of the new
# MAINTAINERS entry has the sender's identity in the series, and the
# placeholder in patches/: compare the series with it put back.
ENTRY='KERNEL THREAD CONTROL PRIMITIVES (KTHREAD_CORE)'
as_in_repo() {
	awk -v e="$ENTRY" -v p="M:	$PLACEHOLDER" '
		$0 == e { entry = 1 }
		$0 == "" { entry = 0 }
		entry && /^M:\t/ { print p; next }
		{ print }' "$1"
}
conf=$(grep -v -e '^#' -e '^[[:space:]]*$' "$REPO/harness/series/series.conf")
forkonly=$(echo "$conf" | awk '$1 == "fork-only" { for (i = 2; i <= NF; i++) print $i }')
files=$( {
	git -C "$CHECK" diff --name-only base HEAD
	cat "$TREE/.kthread-core-patched"
	sed -n 's/^overlay: //p' "$TREE/.kthread-core-prepared"
} | LC_ALL=C sort -u)
disagree=0
for f in $files; do
	echo "$forkonly" | grep -qx "$f" && continue
	if [ ! -e "$CHECK/$f" ]; then
		echo "  $f: in the repository (build/linux), not in the series"
		disagree=1
	elif [ ! -e "$TREE/$f" ]; then
		echo "  $f: in the series, not in the repository (build/linux)"
		disagree=1
	elif ! as_in_repo "$CHECK/$f" | cmp -s - "$TREE/$f"; then
		echo "  $f: differs between the series and the repository:"
		as_in_repo "$CHECK/$f" |
			diff -u --label "series/$f" --label "repository/$f" - "$TREE/$f" | head -n 20 |
			sed 's/^/    /'
		disagree=1
	fi
done
[ $disagree -eq 0 ] ||
	fail "build/patches and the repository disagree (above): the series is generated, never edited; run 'make patches'"
say "the series equals the repository ($(echo "$files" | wc -l) files; fork-only: $(echo $forkonly))"

# 3. checkpatch --strict on every patch, new files included.  A patch
# that adds files without touching MAINTAINERS gets checkpatch's question
# "does MAINTAINERS need updating?"; it is answered, and not asked, only
# when get_maintainer.pl finds a maintainer for every one of those files.
findings=0
i=0
for p in "${patches[@]}"; do
	i=$((i + 1))
	opts=()
	new=$(awk '/^diff --git /{ f = substr($4, 3) } /^new file mode/{ print f }' "$p")
	if [ -n "$new" ] && ! grep -q '^ MAINTAINERS *|' "$p"; then
		sections=
		for f in $new; do
			sec=$(cd "$CHECK" && ./scripts/get_maintainer.pl --no-git --no-git-fallback -f "$f" |
				sed -n 's/.*(\(maintainer\|supporter\):\(.*\))$/\2/p' | head -n1)
			[ -n "$sec" ] || { sections=; break; }
			sections="$sections $f: $sec;"
		done
		if [ -n "$sections" ]; then
			opts=(--ignore FILE_PATH_CHANGES)
			say "patch $i adds files the MAINTAINERS of the series covers:$sections"
		fi
	fi
	# /usr/bin first: spdxcheck.py needs the distribution's python3-ply.
	out=$(cd "$CHECK" && PATH=/usr/bin:$PATH ./scripts/checkpatch.pl --strict --quiet \
		--no-summary "${opts[@]}" "$p" 2>&1)
	if [ -n "$out" ]; then
		echo "$out"
		findings=$((findings + 1))
	fi
done
[ $findings -eq 0 ] || fail "checkpatch --strict has findings in $findings of ${#patches[@]} patches"
say "checkpatch --strict: 0 findings in ${#patches[@]} patches"

# 4. Bisectable: each patch's objects compile with W=1.
targets() {
	git -C "$CHECK" diff-tree --no-commit-id --name-only -r "$1" | while read -r f; do
		case $f in
		arch/um/*.lds.S) echo arch/um/kernel/vmlinux.lds ;;
		*.c | *.S) echo "${f%.[cS]}.o" ;;
		esac
	done | LC_ALL=C sort -u
}
# Made again only after a patch that changes a Kconfig file: a new .config
# makes kbuild sync it again.
config() {
	"$REPO/harness/checks/w1config.sh" "$CHECK" "$DEFAULT/.config" "$W1"
}
warnings() {
	grep -E 'warning:|error:' | sed 's/:[0-9]*:[0-9]*:/:/' | LC_ALL=C sort -u
}
[ -f "$DEFAULT/.config" ] || fail "the default run has no config in $DEFAULT: run 'make' first"
rm -rf "$W1"
mapfile -t commits < <(git -C "$CHECK" rev-list --reverse base..HEAD)
all=$(for c in "${commits[@]}"; do targets "$c"; done | LC_ALL=C sort -u)
git -C "$CHECK" checkout -q base
config || fail "cannot configure the base in $W1"
# Warnings the base has already, in the objects the series touches: one
# make that keeps going past the objects the base does not have.
base_warn=$(make -k -s -C "$CHECK" ARCH=um O="$W1" W=1 $all 2>&1 | warnings)
i=0
for c in "${commits[@]}"; do
	i=$((i + 1))
	git -C "$CHECK" checkout -q "$c"
	subject=$(git -C "$CHECK" log -1 --format=%s "$c")
	t=$(targets "$c")
	if git -C "$CHECK" diff-tree --no-commit-id --name-only -r "$c" | grep -q 'Kconfig'; then
		config || fail "patch $i ($subject): the config does not take"
	fi
	if [ -z "$t" ]; then
		say "patch $i: no objects of its own (configs, docs or linker headers only): $subject"
		continue
	fi
	out=$(make -s -C "$CHECK" ARCH=um O="$W1" W=1 $t 2>&1)
	rc=$?
	new=$(echo "$out" | warnings | LC_ALL=C comm -23 - <(echo "$base_warn"))
	if [ $rc -ne 0 ] || [ -n "$new" ]; then
		echo "$out" | tail -n 30
		fail "patch $i ($subject): $(echo $t) do not compile cleanly with W=1"
	fi
	say "patch $i: W=1 ok: $(echo $t)"
done

# 5. The final tree: a full build and the suite, by the rst's own command.
git -C "$CHECK" checkout -q check
cmd=$(python3 "$REPO/harness/series/doccmd.py" "$CHECK/Documentation/core-api/kthread_core.rst") ||
	fail "no kunit.py command in Documentation/core-api/kthread_core.rst"
say "final tree: the documented command, as written: $cmd"
(cd "$CHECK" && eval "$cmd") >"$BUILD/series-check/run.txt" 2>&1
rc=$?
grep -E 'Testing complete|Elapsed time' "$BUILD/series-check/run.txt" | tail -n 2
[ $rc -eq 0 ] || fail "the final tree does not build or pass the suite: see build/series-check/run.txt"
python3 "$REPO/harness/runs/logscan.py" "$CHECK/.kunit/test.log" ||
	fail "the final tree's kernel log has reports (above)"
say "ok: the series applies, equals the repository, is checkpatch-clean, bisectable and green"
