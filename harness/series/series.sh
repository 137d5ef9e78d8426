#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make patches [V=N]: generate version N (default 1) of the upstream
# series in build/patches from
# patches/ and the overlay, as harness/series/series.conf assigns the overlay
# files to patches.  Never edit the output by hand: patches-check.sh fails
# when it and the repository disagree.
#
# build/series/linux is a git repository of the pristine base (its first
# commit, tagged "base"), then one commit per patch of patches/series
# with the patch's message, authored and signed off by the user's git
# identity.  git format-patch --cover-letter --base=base writes the
# series; cover.py fills in the cover letter, and get_maintainer.pl its
# To: and Cc: lines.
#
# KTHREAD_CORE_STANDIN=1 lets a machine without a git identity (CI) use a
# stand-in one, marked as such.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-$REPO/build}
TREE=$BUILD/linux
WORK=$BUILD/series/linux
OUT=$BUILD/patches
CONF=$REPO/harness/series/series.conf
PLACEHOLDER='kthread_core developers <kthread-core@example.org>'
STANDIN_NAME='Stand-in Identity of make check, not an author'
STANDIN_EMAIL='stand-in@invalid'
VERSION=${1:-1}

die() {
	echo "patches: error: $*" >&2
	exit 1
}

say() {
	echo "patches: $*"
}

[ -f "$TREE/.kthread-core-prepared" ] ||
	die "build/linux is not prepared: run 'make prepare' first"
case $VERSION in
'' | *[!0-9]* | 0) die "V=$VERSION is not a version: give V=1, V=2, ..." ;;
esac
PREV=$((VERSION - 1))
if [ "$VERSION" -gt 1 ] && ! grep -q "^v$VERSION:" "$REPO/harness/series/series.changes"; then
	die "harness/series/series.changes has no \"v$VERSION:\" section: say there what changed since v$PREV"
fi

name=$(git -C "$REPO" config user.name || true)
email=$(git -C "$REPO" config user.email || true)
if [ -z "$name" ] || [ -z "$email" ]; then
	[ "${KTHREAD_CORE_STANDIN:-}" = 1 ] ||
		die "no git identity for the From: and Signed-off-by: lines; set yours with
  git config --global user.name 'Your Name'
  git config --global user.email you@example.org
and run make patches again"
	name=$STANDIN_NAME
	email=$STANDIN_EMAIL
	say "no git identity: using a stand-in, $name <$email>"
fi
export GIT_AUTHOR_NAME=$name GIT_AUTHOR_EMAIL=$email
export GIT_COMMITTER_NAME=$name GIT_COMMITTER_EMAIL=$email

# The overlay files and patches build/linux was laid with, and where the
# series puts each overlay file.
overlay=$(sed -n 's/^overlay: //p' "$TREE/.kthread-core-prepared")
series=$(sed -n 's/^patch: \([^ ]*\) .*/\1/p' "$TREE/.kthread-core-prepared")
conf=$(grep -v -e '^#' -e '^[[:space:]]*$' "$CONF")
for f in $overlay; do
	n=$(echo "$conf" | awk -v f="$f" '{ for (i = 2; i <= NF; i++) if ($i == f) n++ } END { print n + 0 }')
	[ "$n" -eq 1 ] ||
		die "overlay file $f is in $n lines of harness/series/series.conf: give it to one patch, or mark it fork-only"
done
for p in $(echo "$conf" | awk '$1 != "fork-only" { print $1 }'); do
	echo "$series" | grep -qx "$p" ||
		die "harness/series/series.conf names $p, which is not in patches/series"
done

# The pristine base as a git repository, kept between runs.
BASE_ID=$(cat "$TREE/.kthread-core-base")
if [ "$(cat "$WORK/.git/kthread-core-base" 2>/dev/null)" != "$BASE_ID" ]; then
	say "making a git repository of the base: $BASE_ID"
	rm -rf "$WORK"
	mkdir -p "$WORK"
	if [ -n "${KERNEL_SRC:-}" ]; then
		tar -C "$KERNEL_SRC" --exclude=.git -cf - . | tar -C "$WORK" -xf -
		make -s -C "$WORK" mrproper
	else
		dir=$(BUILD=$BUILD "$REPO/harness/base/base.sh" | sed -n 's/^dir=//p')
		cp -a --reflink=auto "$dir/." "$WORK/"
	fi
	git -C "$WORK" init -q
	git -C "$WORK" config gc.auto 0
	# Debian's tree ignores everything at the top level (/*): force.
	git -C "$WORK" add -A -f .
	GIT_AUTHOR_NAME=base GIT_AUTHOR_EMAIL=base@invalid \
		GIT_COMMITTER_NAME=base GIT_COMMITTER_EMAIL=base@invalid \
		GIT_AUTHOR_DATE=2000-01-01T00:00:00Z GIT_COMMITTER_DATE=2000-01-01T00:00:00Z \
		git -C "$WORK" commit -q -m "Base: $BASE_ID"
	git -C "$WORK" tag -f base >/dev/null
	echo "$BASE_ID" >"$WORK/.git/kthread-core-base"
fi
git -C "$WORK" checkout -q -f -B series base
git -C "$WORK" clean -q -f -d -x

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for p in $series; do
	# patches/ has the placeholder in the MAINTAINERS entry; the series,
	# the sender's identity (put back for the next patch's context).
	if grep -qF "M:	$name <$email>" "$WORK/MAINTAINERS"; then
		sed -i "s|^M:	$name <$email>\$|M:	$PLACEHOLDER|" "$WORK/MAINTAINERS"
		git -C "$WORK" add MAINTAINERS
	fi
	git -C "$WORK" apply --index "$REPO/patches/$p" ||
		die "patches/$p does not apply to the base ($BASE_ID)"
	for f in $(echo "$conf" | awk -v p="$p" '$1 == p { for (i = 2; i <= NF; i++) print $i }'); do
		mkdir -p "$WORK/$(dirname "$f")"
		cp "$REPO/$f" "$WORK/$f"
		git -C "$WORK" add -f "$f"
	done
	if grep -q "^M:	$PLACEHOLDER\$" "$WORK/MAINTAINERS"; then
		sed -i "s|^M:	$PLACEHOLDER\$|M:	$name <$email>|" "$WORK/MAINTAINERS"
		git -C "$WORK" add MAINTAINERS
	fi
	git mailinfo "$tmp/msg" "$tmp/diff" <"$REPO/patches/$p" >"$tmp/info"
	{
		sed -n 's/^Subject: //p' "$tmp/info"
		echo
		grep -v "^Signed-off-by: $PLACEHOLDER\$" "$tmp/msg"
	} >"$tmp/commit"
	git -C "$WORK" commit -q -s -F "$tmp/commit"
done

git -C "$WORK" tag -f "v$VERSION" series >/dev/null

# The previous version, for the range-diff: its tag, or its kept patches.
range=()
if [ "$VERSION" -gt 1 ]; then
	if ! git -C "$WORK" rev-parse -q --verify "v$PREV" >/dev/null; then
		ls "$BUILD/series/v$PREV"/0001-*.patch >/dev/null 2>&1 ||
			die "no v$PREV to compare v$VERSION with: make patches V=$PREV was never run here (build/series/v$PREV)"
		git -C "$WORK" checkout -q -B "v$PREV-import" base
		git -C "$WORK" am -q $(ls "$BUILD/series/v$PREV"/*.patch | grep -v /0000-cover-letter.patch) ||
			die "the kept v$PREV patches do not apply to the base any more"
		git -C "$WORK" tag -f "v$PREV" HEAD >/dev/null
		git -C "$WORK" checkout -q series
	fi
	range=(--range-diff="base..v$PREV")
	git -C "$WORK" range-diff "base..v$PREV" "base..v$VERSION" \
		>"$BUILD/series/range-diff-v$PREV-v$VERSION"
fi

rm -rf "$OUT"
vflag=()
[ "$VERSION" -gt 1 ] && vflag=(-v "$VERSION")
git -C "$WORK" format-patch -q --cover-letter --base=base "${vflag[@]}" "${range[@]}" \
	-o "$OUT" base..series
cover=$(ls "$OUT"/*0000-cover-letter.patch)
# Each patch's own To: and Cc:, and all of them for the cover letter.
: >"$tmp/maintainers.all"
for p in $(ls "$OUT"/*.patch | grep -v 0000-cover-letter.patch); do
	(cd "$WORK" && ./scripts/get_maintainer.pl --no-git --no-git-fallback "$p") \
		>"$tmp/m" || die "scripts/get_maintainer.pl failed on $(basename "$p")"
	# The sender maintains the new files, and is the From: already.
	grep -vF "<$email>" "$tmp/m" >"$tmp/m.others" || true
	cat "$tmp/m.others" >>"$tmp/maintainers.all"
	python3 "$REPO/harness/series/cover.py" --headers "$p" "$tmp/m.others"
done
awk '!seen[$0]++' "$tmp/maintainers.all" >"$tmp/maintainers"
python3 "$REPO/harness/series/cover.py" "$cover" "$tmp/maintainers" "$BASE_ID" "$VERSION"

rm -rf "$BUILD/series/v$VERSION"
cp -a "$OUT" "$BUILD/series/v$VERSION"

git -C "$WORK" log --oneline --reverse base..series
git -C "$WORK" diff --stat base series | tail -n1
say "wrote $(ls "$OUT" | wc -l) files of v$VERSION to ${OUT#"$REPO"/} (cover letter included)${range:+, and build/series/range-diff-v$PREV-v$VERSION}"
say "send them yourself, as README.md says: git send-email ${OUT#"$REPO"/}/*.patch, or b4"
