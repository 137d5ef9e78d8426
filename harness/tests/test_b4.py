# SPDX-License-Identifier: GPL-2.0-only
"""The README's b4 instructions, run as written on a small repository with
the branches make patches leaves (base, series), up to b4 send -o, which
writes the messages instead of sending them."""
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from common import REPO, write

MAINTAINER = "Maint Ainer <maint@example.org>"


def readme_b4_commands():
    """The b4 lines of the README's "Sending the series" block."""
    with open(os.path.join(REPO, "README.md")) as f:
        text = f.read()
    block = re.search(r"or with b4, .*?```sh\n(.*?)```", text, re.S).group(1)
    return [re.sub(r"\s+#.*", "", line).strip() for line in block.splitlines()
            if line.strip()]


@unittest.skipUnless(shutil.which("b4") and shutil.which("git"), "needs b4 and git (Debian's b4)")
class B4Test(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="kthread-b4-")
        self.repo = os.path.join(self.tmp, "build/series/linux")
        os.makedirs(self.repo)
        self.env = dict(os.environ, HOME=self.tmp, GIT_CONFIG_NOSYSTEM="1")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def git(self, *args):
        subprocess.run(["git", "-C", self.repo, *args], env=self.env, check=True,
                       capture_output=True)

    def test_readme_b4_flow_writes_the_series(self):
        cmds = readme_b4_commands()
        self.assertEqual(cmds[0], "cd build/series/linux")
        self.assertTrue(cmds[-1].startswith("b4 send -o "))
        self.git("init", "-q")
        for key, value in (("user.name", "Dev One"), ("user.email", "dev@example.org")):
            subprocess.run(["git", "config", "--global", key, value], env=self.env, check=True)
        # A patatt key, as b4 send signs what it sends (the README says so).
        r = subprocess.run(["/usr/bin/python3", "-c",
                            "import sys, patatt; sys.argv = ['patatt', 'genkey']; patatt.command()"],
                           cwd=self.repo, env=self.env, capture_output=True, text=True)
        key = re.search(r"signingkey\s*=\s*(\S+)", r.stdout + r.stderr)
        self.assertTrue(key, r.stdout + r.stderr)
        subprocess.run(["git", "config", "--global", "patatt.signingkey", key.group(1)],
                       env=self.env, check=True)
        # get_maintainer.pl, as the kernel has it, for b4 prep --auto-to-cc.
        write(os.path.join(self.repo, "scripts/get_maintainer.pl"),
              f"#!/bin/sh\necho '{MAINTAINER}'\n", 0o755)
        self.git("add", ".")
        self.git("commit", "-qm", "base")
        self.git("tag", "base")
        self.git("checkout", "-qb", "series")
        for n in ("one", "two"):
            write(os.path.join(self.repo, n), n + "\n")
            self.git("add", n)
            self.git("commit", "-qs", "-m", f"add {n}", "-m", f"Body of {n}.")
        # --edit-cover runs core.editor: paste a cover letter, as the README says.
        cover = os.path.join(self.tmp, "cover")
        write(cover, "kthread: a cover letter\n\nIts body.\n")
        editor = os.path.join(self.tmp, "editor")
        write(editor, f"#!/bin/sh\ncp {cover} \"$1\"\n", 0o755)
        self.git("config", "core.editor", editor)
        outbox = os.path.join(self.tmp, "outbox")
        for cmd in cmds[1:]:
            argv = cmd.split()
            if argv[:3] == ["b4", "send", "-o"]:
                argv[3] = outbox
            r = subprocess.run(argv, cwd=self.repo, env=self.env, stdin=subprocess.DEVNULL,
                               capture_output=True, text=True, timeout=120)
            self.assertEqual(r.returncode, 0, f"{cmd}: {r.stdout}{r.stderr}")
        sent = sorted(os.listdir(outbox))
        self.assertEqual(len(sent), 3, sent)
        with open(os.path.join(outbox, sent[0])) as f:
            first = f.read()
        self.assertIn("kthread: a cover letter", first)
        self.assertIn("maint@example.org", first)


if __name__ == "__main__":
    unittest.main()
