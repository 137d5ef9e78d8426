# SPDX-License-Identifier: GPL-2.0-only
"""The log scan, the JUnit XML, the benchmark table and the summary line."""
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

from common import HARNESS
import bench  # noqa: E402
import cover  # noqa: E402
import junit  # noqa: E402
import logscan  # noqa: E402
import summary  # noqa: E402
import timing  # noqa: E402


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

    def test_kcsan_test_may_provoke_kcsan_reports(self):
        lines = ["    # Subtest: kcsan\n",
                 "BUG: KCSAN: data-race in test_kernel_read / test_kernel_write\n",
                 "BUG: KASAN: slab-out-of-bounds in test_thing\n",
                 "ok 3 kcsan\n",
                 "BUG: KCSAN: data-race in kthread_core_start / kthread_core_thread\n"]
        self.assertEqual([n for n, _ in logscan.scan(lines)], [3, 5])

    def test_time_stamps_do_not_hide_the_kcsan_suite(self):
        lines = ["[    9.000000]     # Subtest: kcsan\n",
                 "[   10.764573] BUG: KCSAN: data-race in test_kernel_read / test_kernel_write\n",
                 "[   46.100000][    T1] ok 3 kcsan\n",
                 "[   46.200000] BUG: KCSAN: data-race in kthread_core_start / x\n"]
        self.assertEqual([n for n, _ in logscan.scan(lines)], [4])

    def test_deprecated_workqueue(self):
        self.assertEqual(len(logscan.scan([
            "workqueue: work func kthread_core_create_work enqueued on deprecated "
            "workqueue. Use system_{percpu|dfl}_wq instead.\n"])), 1)

    def test_clean_boot(self):
        self.assertEqual(logscan.scan([
            "Linux version 7.3.0-rc7 (gcc 12)\n",
            "kcsan: strict mode configured\n",
            "kcsan: selftest: 3/3 tests passed\n",
            "    ok 1 kthread_core_test_signals\n",
            "# kthread_core: pass:24 fail:0 skip:0 total:24\n"]), [])


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

    def test_time_stamps_are_not_case_lines(self):
        logs = junit.ktap_logs([
            "[    1.000000]     # Subtest: kthread_core\n",
            "[    1.100000]     # kthread_core_test_names: a planted failure\n",
            "[    1.200000]     not ok 1 kthread_core_test_names\n",
            "[    1.300000] not ok 1 kthread_core\n"])
        self.assertEqual(logs[("kthread_core", "kthread_core_test_names")],
                         "    # kthread_core_test_names: a planted failure")

    def test_a_run_without_results_fails(self):
        root = junit.build("smp-kcsan", None, {"smp-kcsan run": "no KUnit results"}).getroot()
        self.assertEqual((root.get("tests"), root.get("failures")), ("1", "1"))


class TimingTest(unittest.TestCase):
    def test_cases_and_parameters(self):
        cases, params = timing.parse([
            "[    1.000000]     # Subtest: kthread_core\n",
            "[    1.000000]     1..2\n",
            "[    1.250000][    T7]     ok 1 kthread_core_test_names\n",
            "[    1.250000]         # Subtest: kthread_core_test_affinity\n",
            "[    1.500000]         ok 1 keventd\n",
            "[    2.000000]         ok 2 direct\n",
            "[    2.000000]     ok 2 kthread_core_test_affinity\n",
            "[    2.000000] ok 1 kthread_core\n"])
        self.assertEqual(cases, [("kthread_core.kthread_core_test_names", 0.25),
                                 ("kthread_core.kthread_core_test_affinity", 0.75)])
        self.assertEqual(params["kthread_core.kthread_core_test_affinity"],
                         [("keventd", 0.25), ("direct", 0.5)])


class BenchTest(unittest.TestCase):
    LIFECYCLE = [
        "    # kthread_core_bench_lifecycle: bench: lifecycle core_ns=4000,4100,3900,4000,4050\n",
        "    # kthread_core_bench_lifecycle: bench: lifecycle upstream_ns=5000,5100,4900,5000,5050\n",
        "    ok 1 kthread_core_bench_lifecycle\n"]

    def test_parse_ratio_and_interval(self):
        rows = bench.parse(self.LIFECYCLE)
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows[0]["metric"], "lifecycle")
        self.assertEqual(rows[0]["rounds"], 5)
        self.assertEqual(rows[0]["ratio"], 0.8)
        lo, hi = rows[0]["ci95"]
        self.assertLessEqual(lo, 0.8)
        self.assertGreaterEqual(hi, 0.8)
        self.assertLess(hi, 0.85)
        self.assertRegex(bench.table(rows), r"0\.80 +0\.\d\d-0\.\d\d ok")

    def test_an_interval_wholly_above_the_limit_says_slower(self):
        rows = bench.parse([
            "bench: create core_ns=1300,1310,1290,1305\n",
            "bench: create upstream_ns=1000,1010,990,1005\n"])
        self.assertGreater(rows[0]["ci95"][0], bench.LIMIT)
        self.assertIn("slower", bench.table(rows))

    def test_burst_kworkers(self):
        rows = bench.parse([
            "bench: burst_16 core_ns=700,710\n",
            "bench: burst_16 upstream_ns=700,705 kworkers=0,3\n"])
        self.assertEqual(rows[0]["kworkers_forked"], {"core": 0, "upstream": 3})
        self.assertIn("kthread_core 0, upstream 3", bench.table(rows))

    def test_floor_row_has_one_column(self):
        rows = bench.parse(["    # kthread_core_bench_floor: bench: floor floor_ns=2500,2400,2600\n"]
                           + self.LIFECYCLE)
        self.assertEqual([r["metric"] for r in rows], ["floor", "lifecycle"])
        self.assertIsNone(rows[0]["ratio"])
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "bench.json"), "w") as f:
                json.dump({"rows": rows}, f)
            saved, cover.BUILD = cover.BUILD, d
            try:
                text = cover.bench()
            finally:
                cover.BUILD = saved
        self.assertRegex(text, r"floor +2500 +- +-")
        self.assertRegex(text, r"lifecycle +4000 +5000 +0.80 +0\.\d\d-0\.\d\d")


class SummaryTest(unittest.TestCase):
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
            r = subprocess.run([sys.executable, os.path.join(HARNESS, "runs", "summary.py"), d],
                               capture_output=True, text=True)
            self.assertEqual(r.stdout.splitlines()[-1], "87 passed, 2 failed")
            self.assertEqual(r.returncode, 1)


if __name__ == "__main__":
    unittest.main()
