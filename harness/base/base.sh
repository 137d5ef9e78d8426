#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Get the verified, unpacked base tree into the machine-wide cache and
# print two lines: "id=<what the base is>" and "dir=<its cached tree>".
# The cached tree has no patches; prepare.sh copies it into each clone.
#
#   base.sh --no-wait     if the cache has no tree yet, print "id=",
#                         "tarball=<verified tarball>" and "key=" instead:
#                         the first clone unpacks the tarball itself and
#                         fills the cache in the background, so that it
#                         pays for no copy
#   base.sh --fill T K    unpack tarball T into the cache as K
#
# The base is, in order:
#   KERNEL_TARBALL=/path/or/URL   that tarball (a URL is checked against
#                                 $KERNEL_SHA256, or else the
#                                 sha256sums.asc beside it);
#   Debian's linux-source-7.3     with apt-get download through the
#                                 harness's own apt configuration
#                                 (debian.sh; apt checks it);
#   kernel.org's linux-7.3        from $KERNEL_URL when the Debian package
#                                 is unavailable, checked by fetch.py.
# Downloads go to $BUILD/dl.  Messages go to stderr.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUILD=${BUILD:-$(dirname "$(dirname "$HERE")")/build}
DL=$BUILD/dl
BASES=$(python3 "$HERE/cache.py" dir)/base
PKG=linux-source-7.3
# The release kernel.org's fallback fetches: 7.3 itself once it is out.
RELEASE=7.3

die() {
	echo "prepare: error: $*" >&2
	exit 1
}

say() {
	echo "prepare: $*" >&2
}

NOWAIT=
[ "${1:-}" = --no-wait ] && NOWAIT=1

found() {
	echo "id=$1"
	echo "dir=$BASES/$2"
	exit 0
}

# The base is tarball $1, to be cached as $2 and known as $3.
have_tarball() {
	if [ -n "$NOWAIT" ]; then
		echo "id=$3"
		echo "tarball=$1"
		echo "key=$2"
		exit 0
	fi
	unpack "$1" "$2"
	found "$3" "$2"
}

# Unpack tarball $1 into the cache as $2; another clone may race us.
unpack() {
	local tmp=$BASES/.$2.$$
	mkdir -p "$BASES"
	rm -rf "$tmp"
	mkdir "$tmp"
	say "unpacking $(basename "$1") into the cache ($BASES)"
	tar -C "$tmp" --strip-components=1 -xf "$1" ||
		{ rm -rf "$tmp"; die "cannot unpack $1: remove it and run again"; }
	[ -f "$tmp/Makefile" ] ||
		{ rm -rf "$tmp"; die "$1 is not a kernel source tarball (no top-level Makefile)"; }
	mv -T "$tmp" "$BASES/$2" 2>/dev/null || rm -rf "$tmp"
}

if [ "${1:-}" = --fill ]; then
	[ -d "$BASES/$3" ] || unpack "$2" "$3"
	exit 0
fi

if [ -n "${KERNEL_TARBALL:-}" ]; then
	case $KERNEL_TARBALL in
	*://*)
		mkdir -p "$DL"
		tarball=$(python3 "$HERE/fetch.py" --url "$KERNEL_TARBALL" "$DL" | tail -n1) ||
			die "KERNEL_TARBALL=$KERNEL_TARBALL could not be fetched and checked (see above)"
		;;
	*)
		[ -f "$KERNEL_TARBALL" ] || die "KERNEL_TARBALL=$KERNEL_TARBALL is not a file"
		tarball=$(cd "$(dirname "$KERNEL_TARBALL")" && pwd)/$(basename "$KERNEL_TARBALL")
		say "KERNEL_TARBALL is a local file: used as given, not checked against a list"
		;;
	esac
	sum=$(sha256sum <"$tarball" | cut -c1-16)
	key=tarball-$(basename "$tarball" | tr -c 'A-Za-z0-9._\n-' _)-$sum
	id="tarball $(basename "$tarball") sha256:$sum"
	[ -d "$BASES/$key" ] && found "$id" "$key"
	have_tarball "$tarball" "$key" "$id"
fi

# Debian's package: debian.sh says which version (the cache may have it
# unpacked already), and downloads it.
if ver=$("$HERE/debian.sh" version); then
	key=debian-$PKG-$ver
	[ -d "$BASES/$key" ] && found "debian $PKG $ver" "$key"
	deb=$("$HERE/debian.sh" download "$DL") || die "cannot download Debian's $PKG $ver (see above)"
	[ "$(dpkg-deb -f "$deb" Version)" = "$ver" ] || die "$deb is not version $ver: remove it and run again"
	tarball=$DL/$PKG-$ver.tar.xz
	if [ ! -s "$tarball" ]; then
		dpkg-deb --fsys-tarfile "$deb" |
			tar -xO "./usr/src/$PKG.tar.xz" >"$tarball.part" ||
			die "cannot extract /usr/src/$PKG.tar.xz from $deb"
		mv "$tarball.part" "$tarball"
	fi
	have_tarball "$tarball" "$key" "debian $PKG $ver"
fi

# No Debian package here (another distribution, or not in the archive):
# the release from kernel.org.  An -rc is not on kernel.org's CDN: give
# its tarball with KERNEL_TARBALL.
key=kernel.org-linux-$RELEASE
[ -d "$BASES/$key" ] && found "kernel.org linux-$RELEASE" "$key"
say "Debian's $PKG is not available here (see above): using kernel.org's linux-$RELEASE.tar.xz from ${KERNEL_URL:-the default mirror}"
mkdir -p "$DL"
tarball=$(python3 "$HERE/fetch.py" "$RELEASE" "$DL" | tail -n1) ||
	die "no base: neither Debian's $PKG nor kernel.org's linux-$RELEASE.tar.xz could be had (see above).  Before 7.3 is released, kernel.org has only -rc tarballs: give one with KERNEL_TARBALL=URL (and KERNEL_SHA256=its sha256sum), or a tree with KERNEL_SRC=/path/to/linux"
have_tarball "$tarball" "$key" "kernel.org linux-$RELEASE"
