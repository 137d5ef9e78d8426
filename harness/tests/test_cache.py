# SPDX-License-Identifier: GPL-2.0-only
"""ccache as the harness sets it up: two clones share hits, each gets
dependency files naming its own tree, and an edit is never served stale."""
import os
import shutil
import subprocess
import tempfile
import unittest

from common import write
import cache  # noqa: E402


@unittest.skipUnless(shutil.which("ccache") and shutil.which("gcc"),
                     "ccache or gcc is not installed")
class CcacheTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="kthread-ccache-")
        self.saved = cache.CCACHE_DIR, cache.BIN
        cache.CCACHE_DIR = os.path.join(self.tmp, "cache/ccache")
        cache.BIN = os.path.join(self.tmp, "cache/bin")

    def tearDown(self):
        cache.CCACHE_DIR, cache.BIN = self.saved
        shutil.rmtree(self.tmp)

    def clone(self, name):
        """A clone with a source tree and an object dir, kbuild's layout."""
        root = os.path.join(self.tmp, name)
        write(os.path.join(root, "build/linux/kernel/k.h"), "#define K 1\n")
        write(os.path.join(root, "build/linux/kernel/k.c"),
              '#include "k.h"\nint k(void) { return K; }\n')
        os.makedirs(os.path.join(root, "build/kunit/kernel"))
        return root

    def compile(self, root):
        """gcc as kbuild calls it: absolute source paths, -Wp,-MMD."""
        env = cache.ccache_env(basedir=root)
        before = cache.counters(env)
        obj = os.path.join(root, "build/kunit")
        subprocess.run(["gcc", "-Wp,-MMD,kernel/.k.o.d", "-c", "-o", "kernel/k.o",
                        os.path.join(root, "build/linux/kernel/k.c")],
                       cwd=obj, env=env, check=True)
        after = cache.counters(env)
        with open(os.path.join(obj, "kernel/.k.o.d")) as f:
            deps = f.read()
        with open(os.path.join(obj, "kernel/k.o"), "rb") as f:
            o = f.read()
        hit = (after["direct_cache_hit"] + after["preprocessed_cache_hit"]
               - before.get("direct_cache_hit", 0) - before.get("preprocessed_cache_hit", 0))
        return hit, deps, o

    def test_second_clone_hits_with_its_own_dependencies(self):
        one, two = self.clone("one"), self.clone("two")
        self.assertEqual(self.compile(one)[0], 0)
        hit, deps, _ = self.compile(two)
        self.assertEqual(hit, 1)
        self.assertNotIn(one, deps)
        self.assertIn("k.h", deps)

    def test_an_edited_header_is_compiled_again(self):
        root = self.clone("one")
        _, _, before = self.compile(root)
        write(os.path.join(root, "build/linux/kernel/k.h"), "#define K 2\n")
        hit, _, after = self.compile(root)
        self.assertEqual(hit, 0)
        self.assertNotEqual(before, after)

    def test_disabled_on_request(self):
        self.assertIsNone(cache.ccache_env(dict(os.environ, KTHREAD_CORE_CCACHE="0")))


if __name__ == "__main__":
    unittest.main()
