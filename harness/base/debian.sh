#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Download Debian's linux-source-7.3 with apt-get, through an apt
# configuration of the harness's own: its own sources list (unstable and
# experimental, signed-by Debian's archive keyring), lists and cache, in
# the machine's cache.  The host's /etc/apt is only read for its apt.conf
# settings (a proxy, say), never written.  Works as any user.
#
#   debian.sh version        print the version that would be used
#   debian.sh download DIR   download it into DIR, unless its .deb is
#                            there already; print the .deb's path
#
# The version is $KTHREAD_CORE_PIN if set, else apt's candidate: any 7.3,
# 7.3~rc7 in experimental today, 7.3.y in unstable once it is released.
# Exits 2, saying why on stderr, where the package cannot be had here
# (no apt-get or dpkg-deb, no keyring, or not in the archive), so that
# base.sh can fall back to kernel.org.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PKG=linux-source-7.3
MIRROR=${KTHREAD_CORE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
KEYRING=${KTHREAD_CORE_DEBIAN_KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}
APT=$(python3 "$HERE/cache.py" dir)/apt
case ${1:-} in
version) ;;
download) DIR=${2:?usage: debian.sh download DIR} ;;
*) echo "usage: debian.sh version | download DIR" >&2; exit 1 ;;
esac

unavailable() {
	echo "debian: $*" >&2
	exit 2
}

command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null ||
	unavailable "no apt-get or dpkg-deb on this host"
[ -r "$KEYRING" ] ||
	unavailable "no Debian archive keyring at $KEYRING (Debian's package debian-archive-keyring)"

mkdir -p "$APT/lists/partial" "$APT/cache/archives/partial"
cat >"$APT/sources.list" <<EOF
deb [signed-by=$KEYRING] $MIRROR unstable main
deb [signed-by=$KEYRING] $MIRROR experimental main
EOF
: >"$APT/status"
OPTS=(-q -o "Dir::Etc::SourceList=$APT/sources.list"
	-o Dir::Etc::SourceParts=/dev/null
	-o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=/dev/null
	-o "Dir::State::Lists=$APT/lists" -o "Dir::State::status=$APT/status"
	-o "Dir::Cache=$APT/cache" -o APT::Sandbox::User="$(id -un)")

update() {
	echo "debian: refreshing the harness's package lists for unstable and experimental ($APT)" >&2
	apt-get "${OPTS[@]}" update >&2 ||
		unavailable "apt-get update of $MIRROR failed (see above)"
}

candidate() {
	apt-cache "${OPTS[@]}" policy "$PKG" 2>/dev/null |
		sed -n 's/^ *Candidate: //p' | grep -v '^(none)$' || true
}

ls "$APT"/lists/*_Packages* >/dev/null 2>&1 || update
want=${KTHREAD_CORE_PIN:-$(candidate)}
if [ -z "$want" ]; then
	update
	want=$(candidate)
	[ -n "$want" ] || unavailable "$PKG is not in $MIRROR's unstable or experimental"
fi

if [ "$1" = version ]; then
	echo "$want"
	exit 0
fi

mkdir -p "$DIR"
deb=$DIR/${PKG}_$(echo "$want" | sed 's/^[0-9]*://')_all.deb
if [ ! -s "$deb" ]; then
	get() { (cd "$DIR" && apt-get "${OPTS[@]}" download "$PKG=$want") >&2; }
	if ! get; then
		update
		get || unavailable "cannot download $PKG=$want from $MIRROR${KTHREAD_CORE_PIN:+ (KTHREAD_CORE_PIN=$KTHREAD_CORE_PIN)}"
	fi
fi
[ -s "$deb" ] || unavailable "apt-get download left no $deb"
echo "$deb"
