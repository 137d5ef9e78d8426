"""Self-tests of the harness: prepare.sh on a small fake kernel tree,
run.py's log scan and counting, and the summary line."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest
import xml.etree.ElementTree as ET

HARNESS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, HARNESS)
import bench  # noqa: E402
import junit  # noqa: E402
import logscan  # noqa: E402
import run  # noqa: E402
import summary  # noqa: E402

PREPARE = os.path.join(HARNESS, "prepare.sh")

FAKE_KUNIT = textwrap.dedent("""\
    #!/usr/bin/env python3
    # Stands in for kunit.py: two passing cases and the log in $FAKE_LOG.
    import json, os, sys
    opts = dict(a[2:].split("=", 1) for a in sys.argv if a.startswith("--") and "=" in a)
    os.makedirs(opts["build_dir"], exist_ok=True)
    with open(os.path.join(opts["build_dir"], "test.log"), "w") as f:
        f.write(os.environ.get("FAKE_LOG", "") + "\\n")
    cases = [{"name": n, "status": "PASS"} for n in ("a", "b")]
    with open(opts["json"], "w") as f:
        json.dump({"name": "all", "test_cases": [],
                   "sub_groups": [{"name": "kthread_core", "sub_groups": [],
                                   "test_cases": cases}]}, f)
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


class PrepareTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="kthread-harness-")
        self.src = os.path.join(self.tmp, "src")
        self.ov = os.path.join(self.tmp, "overlay")
        self.build = os.path.join(self.tmp, "build")
        write(os.path.join(self.src, "Makefile"),
              "kernelversion:\n\t@echo 6.12.0-fake\nmrproper:\n\t@rm -f .config\n")
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

    def prepare(self):
        env = dict(os.environ, KERNEL_SRC=self.src, OVERLAY=self.ov, BUILD=self.build)
        return subprocess.run(["bash", PREPARE], env=env, capture_output=True, text=True)

    def tree(self, *parts):
        return os.path.join(self.build, "linux", *parts)

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
        env = dict(os.environ, KERNEL_SRC=os.path.join(self.tmp, "nope"),
                   OVERLAY=self.ov, BUILD=self.build)
        r = subprocess.run(["bash", PREPARE], env=env, capture_output=True, text=True)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("is not a directory", r.stderr)

    def run_py(self, log):
        self.assertEqual(self.prepare().returncode, 0)
        env = dict(os.environ, BUILD=self.build, FAKE_LOG=log)
        r = subprocess.run([sys.executable, os.path.join(HARNESS, "run.py"), "default"],
                           env=env, capture_output=True, text=True)
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


class LogScanTest(unittest.TestCase):
    def test_reports(self):
        for line in ("BUG: KASAN: slab-use-after-free in kthread_core_put+0x10/0x20",
                     "WARNING: possible circular locking dependency detected",
                     "INFO: task ktc:42 blocked for more than 10 seconds.",
                     "UBSAN: shift-out-of-bounds in kernel/kthread_core.c:1:2",
                     "ODEBUG: free active (active state 0) object: 0000 object type: work_struct",
                     "refcount_t: underflow; use-after-free.",
                     "list_add corruption. prev->next should be next",
                     "BUG: KCSAN: data-race in kthread_core_destroy / kthread_core_wait",
                     "BUG: KCSAN: assert: race in kthread_core_loop+0x1/0x2",
                     "BUG: KCSAN: race of unknown origin in foo+0x1/0x2"):
            self.assertEqual(len(logscan.scan([line])), 1, line)

    def test_clean_boot(self):
        self.assertEqual(logscan.scan([
            "Linux version 6.12.117 (gcc 12)\n",
            "kcsan: strict mode configured\n",
            "kcsan: selftest: 3/3 tests passed\n",
            "    ok 1 kthread_core_test_signals\n",
            "# kthread_core: pass:24 fail:0 skip:0 total:24\n"]), [])


class SmpArgsTest(unittest.TestCase):
    def args(self, accel):
        old = os.environ.get("KTHREAD_CORE_ACCEL")
        os.environ["KTHREAD_CORE_ACCEL"] = accel
        try:
            return run.smp()
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
        dirs = [bdir for _, bdir, _ in run.PROFILES.values()]
        self.assertEqual(len(dirs), len(set(dirs)))
        for name in ("smp-kcsan", "smp-debug", "bench-smp"):
            self.assertIn("--arch=x86_64", run.PROFILES[name][2])


class JUnitTest(unittest.TestCase):
    TREE = {"name": "KUnit Test Group", "test_cases": [], "sub_groups": [{
        "name": "kthread_core",
        "test_cases": [{"name": "kthread_core_test_names", "status": "PASS"},
                       {"name": "kthread_core_test_stress", "status": "SKIP"}],
        "sub_groups": [{"name": "kthread_core_test_affinity", "sub_groups": [],
                        "test_cases": [
                            {"name": "keventd", "status": "PASS"},
                            {"name": "direct", "status": "FAIL",
                             "log": "# EXPECTATION FAILED at kernel/kthread_test.c:1"}]}]}]}

    def test_one_testcase_per_case_and_parameter(self):
        root = junit.build("debug", self.TREE, {}).getroot()
        names = [tc.get("name") for tc in root.iter("testcase")]
        self.assertEqual(names, ["kthread_core_test_names", "kthread_core_test_stress",
                                 "kthread_core_test_affinity/keventd",
                                 "kthread_core_test_affinity/direct"])
        self.assertEqual((root.get("tests"), root.get("failures"), root.get("skipped")),
                         ("4", "1", "1"))
        failure = root.find(".//testcase[@name='kthread_core_test_affinity/direct']/failure")
        self.assertEqual(failure.get("message"), "FAIL")
        self.assertIn("EXPECTATION FAILED", failure.text)
        self.assertEqual(root.find("testsuite").get("name"), "debug.kthread_core")

    def test_failed_cases_carry_their_ktap_lines(self):
        logs = junit.ktap_logs(textwrap.dedent("""\
            KTAP version 1
            1..1
                # Subtest: kthread_core
                1..2
                # kthread_core_test_names: EXPECTATION FAILED at kernel/kthread_test.c:9
                Expected 1 == 2
                not ok 1 kthread_core_test_names
                    # Subtest: kthread_core_test_affinity
                    ok 1 keventd
                # kthread_core_test_affinity: a planted failure
                    not ok 2 direct
                not ok 2 kthread_core_test_affinity
            not ok 1 kthread_core
            """).splitlines())
        self.assertIn("Expected 1 == 2", logs[("kthread_core", "kthread_core_test_names")])
        self.assertEqual(logs[("kthread_core", "kthread_core_test_affinity/direct")],
                         "    # kthread_core_test_affinity: a planted failure")
        root = junit.build("debug", self.TREE, {}, logs).getroot()
        failure = root.find(".//testcase[@name='kthread_core_test_affinity/direct']/failure")
        self.assertIn("EXPECTATION FAILED", failure.text)

    def test_a_run_without_results_fails(self):
        root = junit.build("smp-kcsan", None, {"smp-kcsan run": "no KUnit results"}).getroot()
        self.assertEqual((root.get("tests"), root.get("failures")), ("1", "1"))


class BenchTest(unittest.TestCase):
    def test_parse_and_ratio(self):
        rows = bench.parse([
            "    # kthread_core_bench_lifecycle: bench: lifecycle core_ns=4000 "
            "core_iqr=5% upstream_ns=5000 upstream_iqr=7%\n",
            "    ok 1 kthread_core_bench_lifecycle\n"])
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows[0]["metric"], "lifecycle")
        self.assertEqual(rows[0]["ratio"], 0.8)
        self.assertIn("0.80", bench.table(rows))


class CountTest(unittest.TestCase):
    def test_counts_leaf_cases(self):
        tree = {"test_cases": [], "sub_groups": [{
            "test_cases": [{"name": "a", "status": "PASS"},
                           {"name": "b", "status": "FAIL"}],
            "sub_groups": [{"test_cases": [{"name": "keventd", "status": "PASS"},
                                           {"name": "direct", "status": "SKIP"}],
                            "sub_groups": []}]}]}
        self.assertEqual(run.count(tree), (2, 1, 1))

    def test_summary_line(self):
        with tempfile.TemporaryDirectory() as d:
            for name, p, f in (("default", 43, 0), ("debug", 44, 1)):
                with open(os.path.join(d, name + ".counts"), "w") as fh:
                    json.dump({"passed": p, "failed": f, "skipped": 0, "reports": 0}, fh)
            self.assertEqual(summary.summarize(d), (87, 1))
            open(os.path.join(d, "lint.failed"), "w").close()
            self.assertEqual(summary.summarize(d), (87, 2))
            # debug's failure is in its counts already: not counted twice.
            open(os.path.join(d, "debug.failed"), "w").close()
            self.assertEqual(summary.summarize(d), (87, 2))
            r = subprocess.run([sys.executable, os.path.join(HARNESS, "summary.py"), d],
                               capture_output=True, text=True)
            self.assertEqual(r.stdout.splitlines()[-1], "87 passed, 2 failed")
            self.assertEqual(r.returncode, 1)


if __name__ == "__main__":
    unittest.main()
