#!/bin/sh
# Usage: w1config.sh TREE CONFIG OBJ
# Configure OBJ for W=1 builds of the project's objects: the default run's
# CONFIG, plus what the series touches beyond it (the benchmark, devtmpfs
# and its suite, aoe and its suite).  lint and patches-check build with it.
set -e
[ $# -eq 3 ] || { echo "usage: $0 TREE CONFIG OBJ" >&2; exit 2; }
tree=$1 config=$2 obj=$3
[ -f "$config" ] || {
	echo "w1config: no $config: run 'make' first, it writes the default run's config" >&2
	exit 1
}
mkdir -p "$obj"
cp "$config" "$obj/.config"
"$tree/scripts/config" --file "$obj/.config" -e KTHREAD_KUNIT_BENCH \
	-e DEVTMPFS -e DEVTMPFS_KUNIT_TEST -e NET -e BLK_DEV -e ATA_OVER_ETH \
	-e AOE_KUNIT_TEST
make -s -C "$tree" ARCH=um O="$obj" olddefconfig >/dev/null
