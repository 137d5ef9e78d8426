# SPDX-License-Identifier: GPL-2.0-only
"""prepare.sh on a small fake kernel tree: patches, overlay, relaying."""
import os
import subprocess
import unittest

from common import PATCH, FakeTreeCase, snapshot, write


class PrepareTest(FakeTreeCase):
    def test_lays_patches_and_overlay(self):
        r = self.prepare()
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(self.tree("kernel/Makefile")) as f:
            self.assertIn("obj-y += new.o", f.read())
        self.assertEqual(os.readlink(self.tree("kernel/new.c")),
                         os.path.join(self.ov, "kernel/new.c"))
        self.assertTrue(os.path.islink(self.tree(".kunitconfig")))
        with open(self.tree(".kthread-core-base")) as f:
            self.assertIn("6.12.0-fake", f.read())

    def test_version_is_clean_under_a_parent_make(self):
        parent = os.path.join(self.tmp, "parent.mk")
        write(parent, "all:\n\t@bash $(PREPARE)\n")
        env = self.env(KERNEL_SRC=self.src, PREPARE=__import__("common").PREPARE)
        r = subprocess.run(["make", "-f", parent, "-C", self.tmp], env=env,
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(self.tree(".kthread-core-base")) as f:
            base = f.read()
        self.assertNotIn("Entering directory", base)
        self.assertRegex(base, r"\(kernel 6\.12\.0-fake\)\n$")

    def test_idempotent(self):
        self.assertEqual(self.prepare().returncode, 0)
        write(self.tree("marker"), "laid once\n")
        r = self.prepare()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("up to date", r.stdout)
        self.assertTrue(os.path.exists(self.tree("marker")))

    def test_relays_when_a_patch_or_the_overlay_changes(self):
        self.assertEqual(self.prepare().returncode, 0)
        write(self.tree("marker"), "laid once\n")
        write(os.path.join(self.ov, "kernel/other.c"), "/* other */\n")
        self.assertEqual(self.prepare().returncode, 0)
        self.assertFalse(os.path.exists(self.tree("marker")))
        self.assertTrue(os.path.islink(self.tree("kernel/other.c")))

        write(self.tree("marker"), "laid twice\n")
        write(os.path.join(self.ov, "patches/0001-kernel-build-new.o.patch"),
              PATCH.replace("new.o", "newer.o"))
        self.assertEqual(self.prepare().returncode, 0)
        self.assertFalse(os.path.exists(self.tree("marker")))
        with open(self.tree("kernel/Makefile")) as f:
            self.assertIn("obj-y += newer.o", f.read())

    def test_relaying_keeps_the_build_dirs_in_the_tree(self):
        """The default and coverage runs build in build/linux/.kunit*."""
        self.assertEqual(self.prepare().returncode, 0)
        write(self.tree(".kunit/vmlinux"), "built\n")
        write(self.tree(".kunit-coverage/vmlinux"), "built\n")
        write(os.path.join(self.ov, "kernel/other.c"), "/* other */\n")
        self.assertEqual(self.prepare().returncode, 0)
        self.assertTrue(os.path.islink(self.tree("kernel/other.c")))
        self.assertTrue(os.path.exists(self.tree(".kunit/vmlinux")))
        self.assertTrue(os.path.exists(self.tree(".kunit-coverage/vmlinux")))

    def test_relaying_keeps_mtimes_of_unchanged_patched_files(self):
        self.assertEqual(self.prepare().returncode, 0)
        os.utime(self.tree("kernel/Makefile"), ns=(1, 10**18))
        write(os.path.join(self.ov, "kernel/other.c"), "/* other */\n")
        self.assertEqual(self.prepare().returncode, 0)
        self.assertEqual(os.stat(self.tree("kernel/Makefile")).st_mtime_ns, 10**18)
        write(os.path.join(self.ov, "patches/0001-kernel-build-new.o.patch"),
              PATCH.replace("new.o", "newer.o"))
        self.assertEqual(self.prepare().returncode, 0)
        self.assertNotEqual(os.stat(self.tree("kernel/Makefile")).st_mtime_ns, 10**18)

    def test_failing_patch_names_itself_and_keeps_the_tree(self):
        self.assertEqual(self.prepare().returncode, 0)
        write(self.tree("marker"), "laid once\n")
        write(os.path.join(self.ov, "patches/0001-kernel-build-new.o.patch"),
              PATCH.replace(" obj-y += exit.o", " obj-y += gone.o"))
        r = self.prepare()
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("patch 0001-kernel-build-new.o.patch does not apply", r.stderr)
        self.assertIn("rejected hunk", r.stderr)
        self.assertIn("+obj-y += new.o", r.stderr)
        self.assertTrue(os.path.exists(self.tree("marker")))
        self.assertFalse(os.path.exists(os.path.join(self.build, "linux.new")))

    def test_kernel_src_is_copied_not_modified(self):
        write(os.path.join(self.src, ".config"), "CONFIG_X=y\n")
        before = snapshot(self.src)
        r = self.prepare()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(snapshot(self.src), before)
        self.assertFalse(os.path.exists(self.tree(".config")))
        self.assertTrue(os.path.exists(self.tree("kernel/Makefile")))

    def test_overlay_files_must_be_new(self):
        write(os.path.join(self.ov, "kernel/Makefile"), "obj-y = mine.o\n")
        r = self.prepare()
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("already exists in the base tree", r.stderr)

    def test_missing_kernel_src(self):
        r = self.prepare(KERNEL_SRC=os.path.join(self.tmp, "nope"))
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("is not a directory", r.stderr)


if __name__ == "__main__":
    unittest.main()
