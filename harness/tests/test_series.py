# SPDX-License-Identifier: GPL-2.0-only
"""make patches: series.conf covers the overlay and names real patches, and
cover.py fills the letter from results without inventing missing ones."""
import os
import subprocess
import sys
import tempfile
import unittest

from common import HARNESS, REPO
import cover  # noqa: E402


def conf_lines():
    with open(os.path.join(HARNESS, "series", "series.conf")) as f:
        return [l.split() for l in f if l.strip() and not l.startswith("#")]


class SeriesConfTest(unittest.TestCase):
    def test_every_overlay_file_once(self):
        files = subprocess.run(
            ["git", "-C", REPO, "ls-files", "--", "kernel", "include", "tools",
             "drivers", "Documentation", ".kunitconfig"],
            capture_output=True, text=True, check=True).stdout.split()
        named = [f for line in conf_lines() for f in line[1:]]
        for f in files:
            self.assertEqual(named.count(f), 1, f)
        self.assertEqual(sorted(named), sorted(files))

    def test_patches_exist_in_series(self):
        with open(os.path.join(REPO, "patches/series")) as f:
            series = f.read().split()
        for line in conf_lines():
            if line[0] != "fork-only":
                self.assertIn(line[0], series)


class CoverTest(unittest.TestCase):
    def test_addresses_split_to_and_cc(self):
        to, cc = cover.addresses(
            "Tejun Heo <tj@kernel.org> (maintainer:WORKQUEUE)\n"
            "Lai Jiangshan <jiangshanlai@gmail.com> (reviewer:WORKQUEUE)\n"
            "Greg Kroah-Hartman <gregkh@linuxfoundation.org> (supporter:DRIVER CORE)\n"
            "linux-kernel@vger.kernel.org (open list)\n")
        self.assertEqual(to, ["Tejun Heo <tj@kernel.org>",
                              "Greg Kroah-Hartman <gregkh@linuxfoundation.org>"])
        self.assertEqual(cc, ["Lai Jiangshan <jiangshanlai@gmail.com>",
                              "linux-kernel@vger.kernel.org"])

    def test_missing_runs_are_said_missing(self):
        with tempfile.TemporaryDirectory() as d:
            old = cover.RESULTS, cover.BUILD
            cover.RESULTS, cover.BUILD = d, d
            try:
                self.assertIn("default    not run in this tree", cover.results())
                self.assertIn("not run in this tree (make bench)", cover.bench())
                self.assertIn("not measured", cover.coverage())
            finally:
                cover.RESULTS, cover.BUILD = old

    def test_fills_the_template(self):
        with tempfile.TemporaryDirectory() as d:
            letter = os.path.join(d, "0000-cover-letter.patch")
            maint = os.path.join(d, "m")
            with open(letter, "w") as f:
                f.write("From: A <a@b>\nSubject: [PATCH 00/11] *** SUBJECT HERE ***\n\n"
                        "*** BLURB HERE ***\n\nA (1):\n  x\n")
            with open(maint, "w") as f:
                f.write("Tejun Heo <tj@kernel.org> (maintainer:WORKQUEUE)\n"
                        "linux-kernel@vger.kernel.org (open list)\n")
            r = subprocess.run([sys.executable, os.path.join(HARNESS, "series", "cover.py"),
                                letter, maint,
                                "debian linux-source-7.3 7.3~rc7-1~exp1 (kernel 7.3.0-rc7)"],
                               capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            with open(letter) as f:
                text = f.read()
            self.assertNotIn("***", text)
            self.assertIn("To: Tejun Heo <tj@kernel.org>\nCc: linux-kernel@vger.kernel.org\n"
                          "Subject: [PATCH 00/11] kthread: kernel thread control", text)
            self.assertIn("Rusty Russell", text)
            self.assertIn("Is this a second way to make a kthread?", text)
            self.assertIn("Why not kthread_worker, smpboot threads or vhost_task?", text)
            self.assertIn("The series applies to Linux 7.3.0-rc7", text)
            self.assertIn("not the tag", text)
            self.assertNotIn("Changes in v", text)

    def test_v2_has_its_changes(self):
        self.assertIsNone(cover.changes(99))
        with tempfile.TemporaryDirectory() as d:
            letter = os.path.join(d, "0000-cover-letter.patch")
            maint = os.path.join(d, "m")
            with open(letter, "w") as f:
                f.write("Subject: [PATCH v9 00/11] *** SUBJECT HERE ***\n\n*** BLURB HERE ***\n")
            open(maint, "w").close()
            r = subprocess.run([sys.executable, os.path.join(HARNESS, "series", "cover.py"),
                                letter, maint, "x (kernel 7.3.0)", "99"],
                               capture_output=True, text=True)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("no v99: section", r.stderr)

    def test_patch_headers(self):
        with tempfile.TemporaryDirectory() as d:
            patch = os.path.join(d, "0001-x.patch")
            maint = os.path.join(d, "m")
            with open(patch, "w") as f:
                f.write("From: A <a@b>\nSubject: [PATCH 01/11] x\n\nbody\n")
            with open(maint, "w") as f:
                f.write("Tejun Heo <tj@kernel.org> (maintainer:WORKQUEUE)\n"
                        "linux-kernel@vger.kernel.org (open list)\n")
            r = subprocess.run([sys.executable, os.path.join(HARNESS, "series", "cover.py"),
                                "--headers", patch, maint], capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            with open(patch) as f:
                self.assertIn("To: Tejun Heo <tj@kernel.org>\nCc: linux-kernel@vger.kernel.org\n"
                              "Subject: [PATCH 01/11] x", f.read())


class DocCmdTest(unittest.TestCase):
    def test_the_rst_command_is_found_whole(self):
        import doccmd  # noqa: E402
        with open(os.path.join(REPO, "Documentation/core-api/kthread_core.rst")) as f:
            cmd = doccmd.command(f)
        self.assertTrue(cmd.startswith("./tools/testing/kunit/kunit.py run "))
        self.assertIn("--kernel_args ncpus=4 --kernel_args seccomp=on", cmd)
        self.assertTrue(cmd.endswith("'kthread_core*'"))
        self.assertNotIn("\\", cmd)


class UpstreamTest(unittest.TestCase):
    """make upstream's pieces: the base's kunit.py arguments, the comparison."""

    def test_kunit_args_are_the_profiles(self):
        import profiles  # noqa: E402
        out = subprocess.run([sys.executable, os.path.join(HARNESS, "runs/profiles.py"),
                              "kunit-args", "smp-kcsan"], capture_output=True, text=True,
                             check=True).stdout
        import shlex
        args = shlex.split(out)
        self.assertEqual(args, profiles.kunit_args("smp-kcsan"))
        prof = profiles.PROFILES["smp-kcsan"]
        self.assertEqual([a for a in args if a.startswith("--kunitconfig=")],
                         [f"--kunitconfig={c}" for c in prof.configs])
        self.assertEqual([a for a in args if a.startswith("--arch=")], ["--arch=x86_64"])
        out = subprocess.run([sys.executable, os.path.join(HARNESS, "runs/profiles.py"),
                              "build-dir", "up"], capture_output=True, text=True,
                             check=True).stdout
        self.assertEqual(out.strip(), profiles.PROFILES["up"].build_dir)

    def compare(self, base, series):
        import json
        import shutil
        d = tempfile.mkdtemp(prefix="kthread-harness-")
        self.addCleanup(shutil.rmtree, d)
        paths = []
        for name, suites in (("base", base), ("series", series)):
            tree = {"name": "main", "sub_groups": [
                {"name": s, "test_cases": [{"name": c, "status": st} for c, st in cases]}
                for s, cases in suites.items()]}
            paths.append(os.path.join(d, name + ".json"))
            with open(paths[-1], "w") as f:
                json.dump(tree, f)
        return subprocess.run([sys.executable, os.path.join(HARNESS, "series/compare.py"),
                               "t", paths[0], paths[1], ""], capture_output=True, text=True)

    def test_compare_takes_the_base_suites_only(self):
        r = self.compare({"a": [("x", "PASS")]},
                         {"a": [("x", "PASS"), ("y", "PASS")], "b": [("z", "FAIL")]})
        self.assertEqual(r.returncode, 0, r.stdout)
        self.assertIn("adds 1 cases: a.y", r.stdout)
        r = self.compare({"a": [("x", "PASS")]}, {"a": [("x", "FAIL")]})
        self.assertEqual(r.returncode, 1, r.stdout)
        r = self.compare({"a": [("x", "PASS")]}, {"b": [("x", "PASS")]})
        self.assertIn("none of the base's suites", r.stdout)
        self.assertEqual(r.returncode, 1)


if __name__ == "__main__":
    unittest.main()
