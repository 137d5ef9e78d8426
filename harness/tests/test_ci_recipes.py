# SPDX-License-Identifier: GPL-2.0-only
"""The CI recipes parse, and run .ci/run unchanged with what CI needs."""
import os
import unittest

from common import REPO

try:
    import yaml
except ImportError:  # the reason is printed with the skip
    yaml = None


def load(path):
    with open(os.path.join(REPO, path)) as f:
        return yaml.safe_load(f)


@unittest.skipIf(yaml is None, "python3-yaml is not installed (apt-get install python3-yaml)")
class RecipesTest(unittest.TestCase):
    def test_github_workflow(self):
        wf = load(".github/workflows/kunit.yml")
        job = wf["jobs"]["check"]
        self.assertEqual(job["container"]["image"], "debian:bookworm")
        self.assertLessEqual(job["timeout-minutes"], 90)
        runs = [s.get("run") for s in job["steps"]]
        self.assertIn(".ci/run", runs)
        uses = {s.get("uses", "").split("@")[0]: s for s in job["steps"]}
        self.assertIn("actions/checkout", uses)
        self.assertEqual(uses["actions/cache"]["with"]["path"], ".cache/kthread-core")
        self.assertTrue(job["env"]["KTHREAD_CORE_CACHE"].endswith(".cache/kthread-core"))
        published = [s["with"]["path"] for s in job["steps"]
                     if s.get("uses", "").startswith("actions/upload-artifact")]
        self.assertEqual(published, ["build/results/*.junit.xml", "build/coverage/"])
        # "on" is YAML 1.1's true.
        self.assertIn("push", wf.get("on", wf.get(True)))

    def test_gitlab_ci(self):
        job = load(".gitlab-ci.yml")["check"]
        self.assertEqual(job["image"], "debian:bookworm")
        self.assertEqual(job["script"], [".ci/run"])
        self.assertEqual(job["cache"]["paths"], [".cache/kthread-core"])
        self.assertTrue(job["variables"]["KTHREAD_CORE_CACHE"].endswith(".cache/kthread-core"))
        self.assertEqual(job["artifacts"]["reports"]["junit"], "build/results/*.junit.xml")
        self.assertIn("build/coverage/", job["artifacts"]["paths"])
        self.assertEqual(job["artifacts"]["when"], "always")

    def test_ci_run_installs_what_the_harness_uses(self):
        with open(os.path.join(REPO, ".ci/run")) as f:
            text = f.read()
        for pkg in ("ccache", "python3-yaml", "qemu-system-x86", "libelf-dev",
                    "lcov", "sparse", "ca-certificates", "xz-utils", "spin",
                    "clang-19", "lld-19", "llvm-19", "debian-archive-keyring", "b4"):
            self.assertIn(pkg, text)
        self.assertTrue(text.rstrip().endswith("make check"))


if __name__ == "__main__":
    unittest.main()
