#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""The machine-wide cache shared by every clone: ccache and the base tree.

usage: cache.py env | stats | clean | dir | counts

The cache lives in $KTHREAD_CORE_CACHE, by default
~/.cache/kthread-core, outside any clone, so that `make distclean` keeps
it and a second clone starts warm:

  ccache/   the compiler cache of every profile's build
  bin/      gcc, cc and clang-19 as links to ccache, put first on PATH for
            builds, so that the compile commands, and so kbuild's .cmd
            files, are the same with and without the cache
  base/     verified, unpacked base trees without patches (prepare.sh)
  apt/      the harness's own apt configuration and lists (debian.sh)
  qemu-shim/  qemu-system-x86_64 as a link to harness/runs/qemu-shim.py (run.py)
  objects/  how many objects each profile's last full build compiled,
            for the progress lines (build.py)

  env    print the shell exports a build needs (for lint.sh)
  stats  print the cache's size and counters
  clean  empty the cache (make cache-clean)
  dir    print the cache's path
  counts print "MISSES HITS KIB": ccache's compilations so far, and its size
"""
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
ROOT = os.environ.get("KTHREAD_CORE_CACHE") or os.path.join(
    os.path.expanduser("~"), ".cache", "kthread-core")
CCACHE_DIR = os.path.join(ROOT, "ccache")
BIN = os.path.join(ROOT, "bin")
SIZE = os.environ.get("KTHREAD_CORE_CCACHE_SIZE", "8G")
# The compilers the builds name; clang-19 for the clang builds (LLVM=-19).
COMPILERS = ("gcc", "cc", "x86_64-linux-gnu-gcc", "clang-19")


def ccache_env(base=os.environ, basedir=REPO):
    """The environment of a build through ccache, or None without ccache.

    base_dir is the clone: ccache hands the compiler paths relative to the
    build directory, so that two clones share hits and their dependency
    files name their own trees.  hash_dir is off for the same reason (debug
    info then names the clone that filled the cache).  Source files are
    still hashed by content: an edited file is never served stale.  Depend
    mode takes the headers from the compiler's -MD output (kbuild passes
    -Wp,-MMD), so that a miss costs no extra preprocessor run.
    """
    ccache = shutil.which("ccache", path=base.get("PATH"))
    if not ccache or base.get("KTHREAD_CORE_CCACHE") == "0":
        return None
    os.makedirs(BIN, exist_ok=True)
    for cc in COMPILERS:
        link = os.path.join(BIN, cc)
        if os.path.realpath(link) != os.path.realpath(ccache):
            if os.path.lexists(link):
                os.remove(link)
            os.symlink(ccache, link)
    env = dict(base)
    env.update(CCACHE_DIR=CCACHE_DIR, CCACHE_BASEDIR=basedir,
               CCACHE_NOHASHDIR="1", CCACHE_DEPEND="1", CCACHE_MAXSIZE=SIZE,
               PATH=BIN + os.pathsep + base.get("PATH", ""))
    return env


def counters(env):
    """ccache's counters as a dict, or {} without ccache."""
    if not env:
        return {}
    out = subprocess.run(["ccache", "--print-stats"], env=env,
                         capture_output=True, text=True).stdout
    stats = {}
    for line in out.splitlines():
        key, _, value = line.partition("\t")
        if value.strip().isdigit():
            stats[key] = int(value)
    return stats


def hit_rate(before, after):
    """'N of M compilations from the cache (P%)' between two counters."""
    def d(key):
        return after.get(key, 0) - before.get(key, 0)
    hits = d("direct_cache_hit") + d("preprocessed_cache_hit")
    total = hits + d("cache_miss")
    if not total:
        return "no cacheable compilations"
    return (f"{hits} of {total} compilations from the cache "
            f"({100.0 * hits / total:.0f}%), "
            f"{after.get('cache_size_kibibyte', 0) // 1024} MiB in {CCACHE_DIR}")


def main(argv):
    what = argv[1] if len(argv) > 1 else ""
    if what == "env":
        env = ccache_env()
        if env:
            for key in ("CCACHE_DIR", "CCACHE_BASEDIR", "CCACHE_NOHASHDIR",
                        "CCACHE_DEPEND", "CCACHE_MAXSIZE", "PATH"):
                print(f"export {key}='{env[key]}'")
    elif what == "stats":
        env = ccache_env()
        if not env:
            print("cache: ccache is not installed")
        else:
            subprocess.run(["ccache", "--show-stats"], env=env)
        print(f"cache: {ROOT}")
    elif what == "clean":
        shutil.rmtree(ROOT, ignore_errors=True)
        print(f"cache: removed {ROOT}")
    elif what == "dir":
        print(ROOT)
    elif what == "counts":
        # "MISSES HITS KIB": check.sh's per-step figures, and the cache's
        # size; "0 0 0" without ccache.
        c = counters(ccache_env())
        hits = c.get("direct_cache_hit", 0) + c.get("preprocessed_cache_hit", 0)
        print(c.get("cache_miss", 0), hits, c.get("cache_size_kibibyte", 0))
    else:
        sys.exit(__doc__)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
