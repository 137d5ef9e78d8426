#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Lay the kernel tree build/linux: a base tree, then patches/series applied
# with patch -p1, then every overlay file (kernel/, include/, tools/,
# drivers/, Documentation/ and .kunitconfig of this repository) symlinked in at its own path.
#
# The base is a copy of $KERNEL_SRC when that is set (the user's tree is
# only read); otherwise base.sh's verified, unpacked tree in the machine's
# cache: Debian's linux-source-7.3, kernel.org's linux-7.3 where that
# package is missing, or $KERNEL_TARBALL.
# Preparing again is a no-op unless the base, a patch or the list of
# overlay files changed; then the tree is laid again from scratch.  A patch
# that fails leaves the previous tree as it was.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# OVERLAY (the overlay root, holding patches/) and BUILD default to this
# repository; the harness's self-tests point them elsewhere.
OVERLAY=${OVERLAY:-$REPO}
BUILD=${BUILD:-$OVERLAY/build}
TREE=$BUILD/linux
STAMP=.kthread-core-prepared
BASEFILE=.kthread-core-base

die() {
	echo "prepare: error: $*" >&2
	exit 1
}

say() {
	echo "prepare: $*"
}

overlay_files() {
	if git -C "$OVERLAY" rev-parse --git-dir >/dev/null 2>&1; then
		git -C "$OVERLAY" ls-files --cached --others --exclude-standard \
			-- kernel include tools drivers Documentation .kunitconfig
	else
		(cd "$OVERLAY" && find kernel include tools drivers Documentation .kunitconfig \
			-type f 2>/dev/null || true)
	fi | LC_ALL=C sort -u | while read -r f; do
		[ -f "$OVERLAY/$f" ] && echo "$f"
	done
}

series() {
	grep -v -e '^#' -e '^[[:space:]]*$' "$OVERLAY/patches/series"
}

# Files a patch touches, from its "+++ b/path" lines.
patched_files() {
	local p
	for p in $(series); do
		sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p' "$OVERLAY/patches/$p"
	done | LC_ALL=C sort -u
}

# Identify the base, so that a change of base lays the tree again.
if [ -n "${KERNEL_SRC:-}" ]; then
	SRC=$(cd "$KERNEL_SRC" 2>/dev/null && pwd) ||
		die "KERNEL_SRC=$KERNEL_SRC is not a directory"
	[ -f "$SRC/Makefile" ] && [ -x "$SRC/tools/testing/kunit/kunit.py" ] ||
		die "KERNEL_SRC=$SRC does not look like a Linux tree with KUnit (no Makefile or tools/testing/kunit/kunit.py)"
	rev=$(git -C "$SRC" describe --always --dirty 2>/dev/null || stat -c %Y "$SRC/Makefile")
	BASE_ID="KERNEL_SRC $SRC $rev"
else
	base=$(BUILD=$BUILD "$REPO/harness/base/base.sh" --no-wait) || exit 1
	BASE_ID=$(echo "$base" | sed -n 's/^id=//p')
	BASE_DIR=$(echo "$base" | sed -n 's/^dir=//p')
	BASE_TARBALL=$(echo "$base" | sed -n 's/^tarball=//p')
	BASE_KEY=$(echo "$base" | sed -n 's/^key=//p')
fi

want=$( {
	echo "base: $BASE_ID"
	for p in $(series); do
		[ -f "$OVERLAY/patches/$p" ] || die "patches/series names $p, which does not exist"
		echo "patch: $p $(sha256sum <"$OVERLAY/patches/$p" | cut -d' ' -f1)"
	done
	overlay_files | sed 's/^/overlay: /'
} )

if [ -f "$TREE/$STAMP" ] && [ "$(cat "$TREE/$STAMP")" = "$want" ]; then
	say "build/linux is up to date: $(cat "$TREE/$BASEFILE")"
	exit 0
fi

NEW=$BUILD/linux.new
rm -rf "$NEW"
mkdir -p "$NEW"
if [ -n "${KERNEL_SRC:-}" ]; then
	say "copying $SRC (it is not modified)"
	tar -C "$SRC" --exclude=.git --exclude='./.kunit*' -cf - . | tar -C "$NEW" -xf -
	if [ -f "$NEW/.config" ] || [ -d "$NEW/include/config" ]; then
		say "the copy has build output; cleaning it with make mrproper"
		make -s -C "$NEW" mrproper
	fi
elif [ -n "$BASE_DIR" ]; then
	# A copy, not hard links: an edit in build/linux must not reach the cache.
	say "copying the base from the cache ($BASE_DIR)"
	cp -a --reflink=auto "$BASE_DIR/." "$NEW/"
else
	# The first clone on this machine unpacks for itself; the cache is
	# filled at the lowest priority while the kernel builds.
	say "unpacking $(basename "$BASE_TARBALL"); the base cache fills in the background"
	tar -C "$NEW" --strip-components=1 -xf "$BASE_TARBALL"
	BUILD=$BUILD setsid nice -n 19 "$REPO/harness/base/base.sh" --fill \
		"$BASE_TARBALL" "$BASE_KEY" </dev/null >/dev/null 2>&1 &
fi
# --no-print-directory: under a parent make, make -C would print its
# "Entering directory" lines into the version.
KVER=$(make -s --no-print-directory -C "$NEW" kernelversion 2>/dev/null) || KVER=unknown

for p in $(series); do
	if ! out=$(patch -p1 --forward --batch --fuzz=0 -d "$NEW" <"$OVERLAY/patches/$p" 2>&1); then
		echo "$out" >&2
		for rej in $(cd "$NEW" && find . -name '*.rej'); do
			echo "--- rejected hunk(s) in ${rej#./}:" >&2
			cat "$NEW/$rej" >&2
		done
		rm -rf "$NEW"
		die "patch $p does not apply to $BASE_ID (kernel $KVER): refresh it against that tree; build/linux was left as it was"
	fi
done

overlay_files | while read -r f; do
	if [ -e "$NEW/$f" ]; then
		rm -rf "$NEW"
		die "overlay file $f already exists in the base tree: overlay files must be new; change upstream files through a patch in patches/"
	fi
	mkdir -p "$NEW/$(dirname "$f")"
	ln -s "$OVERLAY/$f" "$NEW/$f"
done

echo "$BASE_ID (kernel $KVER)" >"$NEW/$BASEFILE"
echo "$want" >"$NEW/$STAMP"

if [ -d "$TREE" ]; then
	old_base=$(grep '^base: ' "$TREE/$STAMP" 2>/dev/null || true)
	if [ "$old_base" != "base: $BASE_ID" ]; then
		say "the base changed: removing stale build directories"
		rm -rf "$BUILD"/kunit* "$BUILD"/lint-*
	else
		# A file the old or the new series patched keeps its old mtime
		# if its content is unchanged, so that it does not rebuild, and
		# gets a new one otherwise, so that a reverted hunk rebuilds too.
		{ cat "$TREE/.kthread-core-patched" 2>/dev/null || true; patched_files; } |
			LC_ALL=C sort -u | while read -r f; do
				[ -e "$NEW/$f" ] || continue
				if cmp -s "$TREE/$f" "$NEW/$f"; then
					touch -r "$TREE/$f" "$NEW/$f"
				else
					touch "$NEW/$f"
				fi
			done
		# The build dirs inside the tree (the default and coverage
		# runs', as kunit.py's own .kunit) move to the new one.
		for d in "$TREE"/.kunit*; do
			[ -d "$d" ] && mv "$d" "$NEW/"
		done
	fi
	rm -rf "$TREE"
fi
patched_files >"$NEW/.kthread-core-patched"
mv "$NEW" "$TREE"
say "laid build/linux: $BASE_ID (kernel $KVER), $(series | wc -l) patches, $(overlay_files | wc -l) overlay files"
