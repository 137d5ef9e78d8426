# SPDX-License-Identifier: GPL-2.0-only
"""Build one profile's kernel through ccache, with progress lines and a log.

kunit.py's own build step prints nothing for minutes and keeps no output;
run.py calls build() between `kunit.py config` and `kunit.py exec`
instead, with the same make command kunit.py would run.  The full output
goes to build/results/<profile>.build.log; a failed build shows its tail.
"""
import os
import re
import subprocess
import sys
import threading
import time

# cache.py is the base's (harness/base).
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "base"))
import cache  # noqa: E402

# A line of kbuild's quiet output for one compiled object.
OBJECT = re.compile(r"^\s+(CC|AS|HOSTCC|CC \[M\])\s")
TAIL = 40


def interval():
    """Seconds between progress lines: 15 on a terminal, 60 in a pipe."""
    if os.environ.get("KTHREAD_CORE_PROGRESS"):
        return float(os.environ["KTHREAD_CORE_PROGRESS"])
    return 15.0 if sys.stdout.isatty() else 60.0


def mmss(seconds):
    seconds = int(seconds)
    return f"{seconds // 60}m{seconds % 60:02d}s"


def expected_objects(name, recorded):
    """(count, where from) for the progress lines."""
    try:
        with open(os.path.join(cache.ROOT, "objects", name)) as f:
            return int(f.read()), "this machine's last full build"
    except (OSError, ValueError):
        return recorded, "a recorded figure"


def remember_objects(name, count):
    d = os.path.join(cache.ROOT, "objects")
    try:
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, name), "w") as f:
            f.write(f"{count}\n")
    except OSError:
        pass


def progress_line(name, done, expected, elapsed):
    line = f"build: {name}: {done}/~{expected} objects, {mmss(elapsed)} elapsed"
    if done and done < expected:
        return line + f", about {mmss(elapsed * (expected - done) / done)} left"
    if done >= expected:
        return line + ", more than expected: finishing"
    return line


def build(name, tree, build_dir, arch, make_args, jobs, log, recorded, env):
    """Run kunit.py's make command for @arch in @build_dir; True if it built.

    @env is the build's environment: cache.ccache_env(), or None without
    ccache (then the caller's own).
    """
    before = cache.counters(env)
    full = not os.path.exists(os.path.join(build_dir, "vmlinux"))
    expected, source = expected_objects(name, recorded)
    cmd = ["make", "all", "compile_commands.json", f"ARCH={arch}",
           f"O={build_dir}", f"--jobs={jobs}"] + make_args
    print(f"build: {name}: {' '.join(cmd)}")
    print(f"build: {name}: output in {log}; "
          f"{'ccache in ' + cache.CCACHE_DIR if env else 'no ccache'}"
          + (f"; ~{expected} objects expected, from {source}" if full else ""),
          flush=True)
    done = 0
    start = time.monotonic()
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, cwd=tree, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True,
                                errors="replace")

        def reader():
            nonlocal done
            for line in proc.stdout:
                out.write(line)
                if OBJECT.match(line):
                    done += 1
        t = threading.Thread(target=reader, daemon=True)
        t.start()
        every = interval()
        while True:
            t.join(every)
            if not t.is_alive():
                break
            print(progress_line(name, done, expected, time.monotonic() - start),
                  flush=True)
        rc = proc.wait()
    wall = time.monotonic() - start
    stats = cache.hit_rate(before, cache.counters(env)) if env else "no ccache"
    if rc != 0:
        with open(log, errors="replace") as f:
            tail = f.readlines()[-TAIL:]
        sys.stdout.write("".join(tail))
        print(f"build: {name}: FAILED (make exit {rc}) after {mmss(wall)}: "
              f"the last {len(tail)} lines of {log} are above")
        return False
    if full:
        remember_objects(name, done)
    print(f"build: {name}: {done} objects compiled in {mmss(wall)}; ccache: {stats}",
          flush=True)
    return True
