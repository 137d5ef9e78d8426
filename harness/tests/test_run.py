# SPDX-License-Identifier: GPL-2.0-only
"""run.py on a fake tree (config, build, exec, log scan), the build's
progress lines, and the profiles."""
import json
import os
import subprocess
import sys
import unittest
import xml.etree.ElementTree as ET

from common import HARNESS, FakeTreeCase
import build  # noqa: E402
import profiles  # noqa: E402
import run  # noqa: E402


class RunTest(FakeTreeCase):
    def run_py(self, log, **kw):
        self.assertEqual(self.prepare().returncode, 0)
        r = subprocess.run([sys.executable, os.path.join(HARNESS, "runs", "run.py"), "default"],
                           env=self.env(FAKE_LOG=log, **kw), capture_output=True, text=True)
        with open(os.path.join(self.build, "results/default.counts")) as f:
            return r, json.load(f)

    def test_run_fails_on_a_planted_warning(self):
        r, counts = self.run_py(
            "ok 1 kthread_core\n"
            "WARNING: CPU: 0 PID: 1 at kernel/kthread_core.c:42 kthread_core_start+0x1/0x2\n")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("kernel report at log line 2", r.stdout)
        self.assertEqual(counts, {"passed": 2, "failed": 1, "skipped": 0, "reports": 1})
        root = ET.parse(os.path.join(self.build, "results/default.junit.xml")).getroot()
        self.assertEqual((root.get("tests"), root.get("failures")), ("3", "1"))
        failure = root.find(".//testcase[@name='default kernel log']/failure")
        self.assertIn("WARNING: CPU: 0 PID: 1", failure.text)

    def test_run_passes_on_a_clean_log(self):
        r, counts = self.run_py("ok 1 kthread_core\n")
        self.assertEqual(r.returncode, 0, r.stdout)
        self.assertEqual(counts, {"passed": 2, "failed": 0, "skipped": 0, "reports": 0})
        root = ET.parse(os.path.join(self.build, "results/default.junit.xml")).getroot()
        self.assertEqual((root.get("tests"), root.get("failures")), ("2", "0"))


    def test_build_failure_shows_the_log_tail(self):
        r, counts = self.run_py("", FAKE_BUILD_FAIL="1")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("kernel/new.c:1: error: planted", r.stdout)
        self.assertIn("build: default: FAILED (make exit 2)", r.stdout)
        self.assertEqual(counts["failed"], 1)
        with open(os.path.join(self.build, "results/default.build.log")) as f:
            self.assertIn("CC      kernel/new.o", f.read())

    def test_build_counts_objects_and_remembers_them(self):
        r, _ = self.run_py("ok 1 kthread_core\n")
        self.assertIn("build: default: 2 objects compiled", r.stdout)
        with open(os.path.join(self.cache, "objects/default")) as f:
            self.assertEqual(f.read(), "2\n")


class ProgressTest(unittest.TestCase):
    def test_line_has_count_elapsed_and_estimate(self):
        self.assertEqual(build.progress_line("debug", 500, 2000, 60),
                         "build: debug: 500/~2000 objects, 1m00s elapsed, about 3m00s left")

    def test_line_past_the_expected_count(self):
        self.assertIn("more than expected",
                      build.progress_line("debug", 2100, 2000, 90))

    def test_object_lines(self):
        for line in ("  CC      kernel/kthread_core.o", "  AS      arch/x86/entry/entry_64.o",
                     "  HOSTCC  scripts/kconfig/conf.o", "  CC [M]  fs/foo.o"):
            self.assertTrue(build.OBJECT.match(line), line)
        for line in ("  LD      vmlinux.o", "  GEN     Makefile", "kernel/x.c:1: warning: y"):
            self.assertFalse(build.OBJECT.match(line), line)

    def test_progress_every_interval(self):
        os.environ["KTHREAD_CORE_PROGRESS"] = "0.2"
        try:
            self.assertEqual(build.interval(), 0.2)
        finally:
            del os.environ["KTHREAD_CORE_PROGRESS"]


class SmpArgsTest(unittest.TestCase):
    def args(self, accel):
        old = os.environ.get("KTHREAD_CORE_ACCEL")
        os.environ["KTHREAD_CORE_ACCEL"] = accel
        try:
            return profiles.smp()
        finally:
            if old is None:
                del os.environ["KTHREAD_CORE_ACCEL"]
            else:
                os.environ["KTHREAD_CORE_ACCEL"] = old

    def test_four_cpus_multithreaded_tcg(self):
        args = self.args("tcg")
        self.assertIn("--arch=x86_64", args)
        qemu = [a for a in args if a.startswith("--qemu_args=")]
        self.assertEqual(qemu, ["--qemu_args=-smp 4 -m 2048 -accel tcg,thread=multi"])

    def test_kvm_on_request(self):
        self.assertIn("-accel kvm", " ".join(self.args("kvm")))

    def test_profiles_have_their_own_build_dirs(self):
        dirs = [p.build_dir for p in profiles.PROFILES.values()]
        self.assertEqual(len(dirs), len(set(dirs)))
        self.assertIn("--arch=x86_64", profiles.PROFILES["smp-kcsan"].common)
        self.assertEqual(profiles.PROFILES["smp-kcsan"].arch, "x86_64")

    def test_uml_smp_by_default_and_up_of_its_own(self):
        smp = ["--kernel_args", "ncpus=4", "--kernel_args", "seccomp=on"]
        for name in ("default", "debug", "clang", "coverage", "bench"):
            prof = profiles.PROFILES[name]
            self.assertEqual(prof.arch, "um")
            self.assertTrue(profiles.SMP in prof.configs or
                            "CONFIG_SMP=y" in prof.common, name)
            self.assertEqual(prof.boot[-4:], smp, name)
        up = profiles.PROFILES["up"]
        self.assertNotIn(profiles.SMP, up.configs)
        self.assertNotIn("seccomp=on", up.boot)
        self.assertEqual(profiles.PROFILES["clang"].make, ["LLVM=-19"])

    def test_the_default_run_is_the_documented_command(self):
        """Its config is the rst's alone, and coverage's the same, both in
        build/linux, where patches-check's tree of the series has its
        .kunit: the relative paths that make ccache hit."""
        import doccmd  # noqa: E402
        with open(profiles.RST) as f:
            cmd = doccmd.command(f).split()
        default, cov = profiles.PROFILES["default"], profiles.PROFILES["coverage"]
        self.assertEqual(default.configs, [profiles.DOC_KUNITCONFIG])
        self.assertEqual(" ".join(default.common),
                         " ".join(a for i, a in enumerate(cmd) if a == "--kconfig_add"
                                  or cmd[i - 1] == "--kconfig_add"))
        self.assertEqual(default.glob, cmd[-1].strip("'"))
        self.assertEqual((cov.configs, cov.common, cov.glob),
                         (default.configs, default.common, default.glob))
        for prof in (default, cov):
            self.assertEqual(os.path.dirname(prof.build_dir), "linux")
        # The rest of make check's: the lean fragment right after
        # .kunitconfig, so that the debug and KCSAN fragments come after it.
        for name in ("debug", "up", "clang", "smp-kcsan"):
            self.assertEqual(profiles.PROFILES[name].configs[:2],
                             [profiles.KUNITCONFIG, profiles.LEAN], name)
        # Not with a fragment that sets what it unsets: kunit.py refuses.
        # The block layer is out but where aoe's suite runs (debug).
        for name in ("up", "clang", "smp-kcsan"):
            self.assertEqual(profiles.PROFILES[name].configs[2], profiles.NOBLOCK, name)
        self.assertNotIn(profiles.NOBLOCK, profiles.PROFILES["debug"].configs)
        self.assertIn(profiles.AOE, profiles.PROFILES["debug"].configs)
        for name in ("up", "clang"):
            self.assertEqual(profiles.PROFILES[name].configs[3], profiles.NODEBUG)
        for name in ("debug", "smp-kcsan", "bench"):
            self.assertNotIn(profiles.NODEBUG, profiles.PROFILES[name].configs)

    def test_no_profile_has_fragments_that_contradict_each_other(self):
        """kunit.py refuses them: checked with its own merge."""
        kunit = os.path.join(profiles.TREE, "tools/testing/kunit")
        if not os.path.isfile(os.path.join(kunit, "kunit_kernel.py")):
            self.skipTest("build/linux is not prepared: no kunit.py to merge with")
        sys.path.insert(0, kunit)
        try:
            import kunit_kernel  # noqa: E402
        finally:
            sys.path.remove(kunit)
        for name, prof in profiles.PROFILES.items():
            kunit_kernel.get_parsed_kunitconfig("/nonexistent", prof.configs)

    def test_a_glob_of_the_caller_replaces_the_profiles(self):
        self.assertTrue(run.has_glob(["kthread_core.*park*"]))
        self.assertTrue(run.has_glob(["--timeout", "30", "devtmpfs*"]))
        self.assertFalse(run.has_glob(["--timeout", "30"]))
        self.assertFalse(run.has_glob(["--kernel_args", "x=1", "--json", "f"]))
        self.assertFalse(run.has_glob([]))
        self.assertFalse(run.has_glob(["--qemu_args", "-smp 2", "--junit", "x.xml"]))

    def test_qemu_shim_drops_the_unusable_accelerators(self):
        args = ["-nodefaults", "-accel", "kvm", "-accel", "hvf", "-accel", "tcg",
                "-smp", "4", "-accel", "tcg,thread=multi"]
        shim = __import__("importlib").import_module("qemu-shim")
        self.assertEqual(shim.filtered(args, {"kvm", "hvf"}),
                         ["-nodefaults", "-accel", "tcg", "-smp", "4",
                          "-accel", "tcg,thread=multi"])


class CountTest(unittest.TestCase):
    def test_counts_leaf_cases(self):
        tree = {"test_cases": [], "sub_groups": [{
            "test_cases": [{"name": "a", "status": "PASS"},
                           {"name": "b", "status": "FAIL"}],
            "sub_groups": [{"test_cases": [{"name": "keventd", "status": "PASS"},
                                           {"name": "direct", "status": "SKIP"}],
                            "sub_groups": []}]}]}
        self.assertEqual(run.count(tree), (2, 1, 1))


if __name__ == "__main__":
    unittest.main()
