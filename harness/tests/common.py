# SPDX-License-Identifier: GPL-2.0-only
"""Helpers of the harness's self-tests: a small fake kernel tree and overlay."""
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest

HARNESS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(HARNESS)
# The harness's groups, whose modules the tests import.
for group in ("base", "runs", "series", "checks"):
    sys.path.insert(0, os.path.join(HARNESS, group))
PREPARE = os.path.join(HARNESS, "base", "prepare.sh")

# Stands in for kunit.py: config makes the build dir; exec writes two
# passing cases and the log in $FAKE_LOG.
FAKE_KUNIT = textwrap.dedent("""\
    #!/usr/bin/env python3
    import json, os, sys
    opts = dict(a[2:].split("=", 1) for a in sys.argv if a.startswith("--") and "=" in a)
    os.makedirs(opts["build_dir"], exist_ok=True)
    if sys.argv[1] == "exec":
        with open(os.path.join(opts["build_dir"], "test.log"), "w") as f:
            f.write(os.environ.get("FAKE_LOG", "") + "\\n")
        cases = [{"name": n, "status": "PASS"} for n in ("a", "b")]
        with open(opts["json"], "w") as f:
            json.dump({"name": "all", "test_cases": [],
                       "sub_groups": [{"name": "kthread_core", "sub_groups": [],
                                       "test_cases": cases}]}, f)
    """)

# Stands in for the kernel's Makefile; $FAKE_BUILD_FAIL fails the build.
FAKE_MAKEFILE = textwrap.dedent("""\
    kernelversion:
    \t@echo 6.12.0-fake
    mrproper:
    \t@rm -f .config
    all:
    \t@echo "  CC      kernel/fork.o"
    \t@echo "  CC      kernel/new.o"
    \t@if [ -n "$$FAKE_BUILD_FAIL" ]; then echo "kernel/new.c:1: error: planted"; exit 2; fi
    compile_commands.json:
    \t@true
    """)

PATCH = textwrap.dedent("""\
    From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
    From: Test <test@example.org>
    Subject: [PATCH] kernel: build new.o

    ---
     kernel/Makefile | 1 +
     1 file changed, 1 insertion(+)

    diff --git a/kernel/Makefile b/kernel/Makefile
    --- a/kernel/Makefile
    +++ b/kernel/Makefile
    @@ -1,2 +1,3 @@
     obj-y = fork.o
    +obj-y += new.o
     obj-y += exit.o
    """)


def write(path, text, mode=0o644):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


def snapshot(root):
    out = {}
    for d, _, files in os.walk(root):
        for n in files:
            p = os.path.join(d, n)
            with open(p, "rb") as f:
                out[os.path.relpath(p, root)] = (os.stat(p).st_mtime_ns, f.read())
    return out


class FakeTreeCase(unittest.TestCase):
    """A fake kernel tree (src), an overlay with one patch, a build dir and
    a cache of their own under a temporary directory."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="kthread-harness-")
        self.src = os.path.join(self.tmp, "src")
        self.ov = os.path.join(self.tmp, "overlay")
        self.build = os.path.join(self.tmp, "build")
        self.cache = os.path.join(self.tmp, "cache")
        write(os.path.join(self.src, "Makefile"), FAKE_MAKEFILE)
        write(os.path.join(self.src, "kernel/Makefile"),
              "obj-y = fork.o\nobj-y += exit.o\n")
        write(os.path.join(self.src, "tools/testing/kunit/kunit.py"),
              FAKE_KUNIT, 0o755)
        write(os.path.join(self.ov, "patches/0001-kernel-build-new.o.patch"), PATCH)
        write(os.path.join(self.ov, "patches/series"), "0001-kernel-build-new.o.patch\n")
        write(os.path.join(self.ov, "kernel/new.c"), "/* new */\n")
        write(os.path.join(self.ov, ".kunitconfig"), "CONFIG_KUNIT=y\n")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def env(self, **kw):
        return dict(os.environ, OVERLAY=self.ov, BUILD=self.build,
                    KTHREAD_CORE_CACHE=self.cache, **kw)

    def prepare(self, **kw):
        env = self.env(**kw)
        env.setdefault("KERNEL_SRC", self.src)
        return subprocess.run(["bash", PREPARE], env=env, capture_output=True, text=True)

    def tree(self, *parts):
        return os.path.join(self.build, "linux", *parts)
