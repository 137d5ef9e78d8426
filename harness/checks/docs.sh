#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make docs: build Documentation/core-api as HTML (make htmldocs
# SPHINXDIRS=core-api, in build/docs) and fail on any warning that names
# the project's files: the new page, the kernel-doc it pulls in, and the
# upstream documents its patches touch.
set -uo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
TREE=$REPO/build/linux
OUT=$REPO/build/docs
cd "$TREE" || { echo "docs: build/linux is not prepared: run make prepare" >&2; exit 1; }

# From scratch: Sphinx repeats no warning of a page it does not read again.
rm -rf "$OUT/Documentation/output"
mkdir -p "$OUT"
log=$OUT/htmldocs.log
echo "docs: make htmldocs SPHINXDIRS=core-api (output in build/docs, log in ${log#"$REPO"/})"
make O="$OUT" htmldocs SPHINXDIRS=core-api >"$log" 2>&1
rc=$?
all=$(grep -c -E 'WARNING|ERROR|warning:|error:' "$log")
ours=$(grep -E 'WARNING|ERROR|warning:|error:' "$log" |
	grep -E 'kthread_core|keventd_up|kthread\.h')
page=$OUT/Documentation/output/core-api/kthread_core.html
if [ $rc -ne 0 ] || [ ! -s "$page" ]; then
	tail -n 30 "$log"
	echo "docs: FAILED: make htmldocs exited $rc (full log: ${log#"$REPO"/})"
	exit 1
fi
if [ -n "$ours" ]; then
	echo "$ours"
	echo "docs: FAILED: warnings from the project's files (above)"
	exit 1
fi
echo "docs: 0 warnings from the project's files ($all from the rest of core-api)"
echo "docs: rendered page: ${page#"$REPO"/}"
