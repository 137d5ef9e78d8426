#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Check for the tools a target needs; install the missing ones when run as
# root with apt-get, otherwise print the exact apt-get line and fail.
# Usage: deps.sh [extra-tool ...]   (e.g. deps.sh lcov genhtml sparse)
# A tool is a command, "libelf" for the headers objtool builds with, or
# "ply" and "gitpython", the modules of checkpatch's SPDX check, or
# "clang", LLVM 19 (clang, lld and the binutils) for the clang builds.
set -euo pipefail

declare -A PKG=(
	[gcc]=gcc [make]=make [flex]=flex [bison]=bison [bc]=bc
	[python3]=python3 [perl]=perl [xz]=xz-utils [patch]=patch
	[dpkg-deb]=dpkg [tar]=tar [git]=git [lcov]=lcov [genhtml]=lcov
	[sparse]=sparse [gnuplot]=gnuplot-nox [ccache]=ccache
	[qemu-system-x86_64]=qemu-system-x86 [libelf]=libelf-dev
	[sphinx-build]=python3-sphinx [ply]=python3-ply [gitpython]=python3-git
	[spin]=spin [clang]="clang-19 lld-19 llvm-19"
)
tools=(gcc make flex bison bc python3 perl xz patch tar ccache "$@")

have() {
	case $1 in
	libelf) [ -e /usr/include/gelf.h ] ;;
	# checkpatch's SPDX check runs scripts/spdxcheck.py with /usr/bin/python3
	ply | gitpython) /usr/bin/python3 -c "import ${1/gitpython/git}" 2>/dev/null ;;
	clang) command -v clang-19 && command -v ld.lld-19 && command -v llvm-ar-19 ;;
	*) command -v "$1" >/dev/null 2>&1 ;;
	esac
}

missing=()
for t in "${tools[@]}"; do
	# shellcheck disable=SC2206 # a tool may need several packages
	have "$t" >/dev/null || missing+=(${PKG[$t]:-$t})
done
[ ${#missing[@]} -eq 0 ] && exit 0
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)

line="apt-get install -y ${missing[*]}"
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "deps: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	if ! apt-get install -y -q "${missing[@]}" >/dev/null; then
		apt-get update -q >/dev/null
		apt-get install -y -q "${missing[@]}" >/dev/null ||
			{ echo "deps: error: '$line' failed" >&2; exit 1; }
	fi
	exit 0
fi
echo "deps: error: missing ${missing[*]}; install them with:" >&2
if command -v apt-get >/dev/null 2>&1; then
	echo "  sudo apt-get update && sudo $line" >&2
else
	echo "  your distribution's package manager (these are Debian's package names)" >&2
fi
exit 1
