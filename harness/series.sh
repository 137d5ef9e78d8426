#!/bin/bash
# make patches: generate the upstream series in build/patches from
# patches/ and the overlay, as harness/series.conf assigns the overlay
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

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$REPO/build}
TREE=$BUILD/linux
WORK=$BUILD/series/linux
OUT=$BUILD/patches
CONF=$REPO/harness/series.conf
PLACEHOLDER='kthread_core developers <kthread-core@example.org>'
STANDIN_NAME='Stand-in Identity of make check, not an author'
STANDIN_EMAIL='stand-in@invalid'

die() {
	echo "patches: error: $*" >&2
	exit 1
}

say() {
	echo "patches: $*"
}

[ -f "$TREE/.kthread-core-prepared" ] ||
	die "build/linux is not prepared: run 'make prepare' first"

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
		die "overlay file $f is in $n lines of harness/series.conf: give it to one patch, or mark it fork-only"
done
for p in $(echo "$conf" | awk '$1 != "fork-only" { print $1 }'); do
	echo "$series" | grep -qx "$p" ||
		die "harness/series.conf names $p, which is not in patches/series"
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
		dir=$(BUILD=$BUILD "$REPO/harness/base.sh" | sed -n 's/^dir=//p')
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

rm -rf "$OUT"
git -C "$WORK" format-patch -q --cover-letter --base=base -o "$OUT" base..series
(cd "$WORK" && ./scripts/get_maintainer.pl --no-git --no-git-fallback \
	$(ls "$OUT"/*.patch | grep -v /0000-cover-letter.patch)) >"$tmp/maintainers.all" ||
	die "scripts/get_maintainer.pl failed on the series"
# The sender maintains the new files, and is the From: already.
grep -vF "<$email>" "$tmp/maintainers.all" >"$tmp/maintainers" || true
python3 "$REPO/harness/cover.py" "$OUT/0000-cover-letter.patch" \
	"$tmp/maintainers" "$BASE_ID"

git -C "$WORK" log --oneline --reverse base..series
git -C "$WORK" diff --stat base series | tail -n1
say "wrote $(ls "$OUT" | wc -l) files to ${OUT#"$REPO"/} (cover letter included); send with:"
say "  git send-email ${OUT#"$REPO"/}/*.patch"
