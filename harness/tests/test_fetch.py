# SPDX-License-Identifier: GPL-2.0-only
"""The kernel.org fallback over loopback: fetch.py and base.sh against a
python3 -m http.server on 127.0.0.1 serving a small fake tarball."""
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import unittest

from common import HARNESS, write

FETCH = os.path.join(HARNESS, "base", "fetch.py")
BASE = os.path.join(HARNESS, "base", "base.sh")
VERSION = "7.3"
# What base.sh needs, without apt-get and dpkg-deb: a host with no Debian.
TOOLS = ("bash", "python3", "tar", "xz", "sha256sum", "cut", "tr", "basename",
         "dirname", "mkdir", "rm", "mv", "sed", "ls", "head", "tail", "cat", "id")


class LoopbackCase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="kthread-fetch-")
        self.www = os.path.join(self.tmp, "www")
        os.makedirs(self.www)
        top = os.path.join(self.tmp, f"linux-{VERSION}")
        write(os.path.join(top, "Makefile"), "VERSION = 6\n")
        self.name = f"linux-{VERSION}.tar.xz"
        with tarfile.open(os.path.join(self.www, self.name), "w:xz") as t:
            t.add(top, arcname=f"linux-{VERSION}")
        with open(os.path.join(self.www, self.name), "rb") as f:
            self.sum = hashlib.sha256(f.read()).hexdigest()
        self.list(self.sum)
        self.server = subprocess.Popen(
            [sys.executable, "-u", "-m", "http.server", "--bind", "127.0.0.1",
             "--directory", self.www, "0"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.server.stdout.readline()
        port = re.search(r"port (\d+)", line).group(1)
        self.url = f"http://127.0.0.1:{port}/"
        self.gnupg = os.path.join(self.tmp, "gnupg")  # no keys in it
        os.makedirs(self.gnupg)

    def tearDown(self):
        self.server.kill()
        self.server.wait()
        self.server.stdout.close()
        shutil.rmtree(self.tmp)

    def list(self, digest):
        write(os.path.join(self.www, "sha256sums.asc"),
              "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n"
              f"{'0' * 64}  linux-7.2.tar.xz\n{digest}  {self.name}\n"
              "-----BEGIN PGP SIGNATURE-----\n\nnot a real signature\n"
              "-----END PGP SIGNATURE-----\n")

    def fetch(self, *args, **kw):
        env = dict(os.environ, KERNEL_URL=self.url, GNUPGHOME=self.gnupg, **kw)
        env.pop("KERNEL_KEYRING", None)
        if "KERNEL_SHA256" not in kw:
            env.pop("KERNEL_SHA256", None)
        return subprocess.run([sys.executable, FETCH, *args], env=env,
                              capture_output=True, text=True)


class FetchTest(LoopbackCase):
    def test_download_checked_and_signature_notice(self):
        dest = os.path.join(self.tmp, "dl")
        r = self.fetch(VERSION, dest)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), os.path.join(dest, self.name))
        self.assertIn("SHA-256 matches sha256sums.asc", r.stderr)
        self.assertIn("the signature of sha256sums.asc was NOT verified", r.stderr)

    def test_checksum_mismatch_is_refused(self):
        self.list("f" * 64)
        dest = os.path.join(self.tmp, "dl")
        r = self.fetch(VERSION, dest)
        self.assertEqual(r.returncode, 1)
        self.assertIn(f"checksum mismatch for {self.name}", r.stderr)
        self.assertIn(f"{self.url}sha256sums.asc gives {'f' * 64}", r.stderr)
        self.assertIn(self.sum, r.stderr)
        self.assertFalse(os.path.exists(os.path.join(dest, self.name)))
        self.assertEqual(r.stdout, "")

    def test_missing_tarball_names_the_url(self):
        r = self.fetch("7.2", os.path.join(self.tmp, "dl"))
        self.assertEqual(r.returncode, 1)
        self.assertIn(f"cannot download {self.url}linux-7.2.tar.xz: HTTP 404", r.stderr)

    def test_unlisted_tarball(self):
        r = self.fetch("--url", self.url + "other.tar.xz", os.path.join(self.tmp, "dl"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("lists no SHA-256 for other.tar.xz", r.stderr)

    def test_given_sha256_needs_no_list(self):
        os.remove(os.path.join(self.www, "sha256sums.asc"))
        dest = os.path.join(self.tmp, "dl")
        r = self.fetch("--url", self.url + self.name, dest, KERNEL_SHA256=self.sum)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("SHA-256 matches KERNEL_SHA256", r.stderr)
        bad = self.fetch("--url", self.url + self.name, dest, KERNEL_SHA256="e" * 64)
        self.assertEqual(bad.returncode, 1)
        self.assertIn(f"checksum mismatch for {self.name}: KERNEL_SHA256 gives {'e' * 64}",
                      bad.stderr)

    def test_rc_without_list_says_what_to_give(self):
        os.remove(os.path.join(self.www, "sha256sums.asc"))
        r = self.fetch("--url", self.url + self.name, os.path.join(self.tmp, "dl"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("HTTP 404", r.stderr)
        self.assertIn("give its SHA-256 with KERNEL_SHA256=", r.stderr)

    def test_unreachable_mirror(self):
        r = self.fetch("--url", "http://127.0.0.1:9/linux-7.2.tar.xz",
                       os.path.join(self.tmp, "dl"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("cannot download http://127.0.0.1:9/sha256sums.asc", r.stderr)


class BaseFallbackTest(LoopbackCase):
    def base(self, **kw):
        """base.sh on a PATH without apt-get and dpkg-deb."""
        bin_ = os.path.join(self.tmp, "bin")
        os.makedirs(bin_, exist_ok=True)
        for t in TOOLS:
            if not os.path.exists(os.path.join(bin_, t)):
                real = sys.executable if t == "python3" else shutil.which(t)
                os.symlink(real, os.path.join(bin_, t))
        env = dict(PATH=bin_, HOME=self.tmp, GNUPGHOME=self.gnupg,
                   KERNEL_URL=self.url,
                   BUILD=os.path.join(self.tmp, "build"),
                   KTHREAD_CORE_CACHE=os.path.join(self.tmp, "cache"), **kw)
        return subprocess.run(["bash", BASE], env=env, capture_output=True, text=True)

    def test_kernel_org_base_where_debian_is_missing(self):
        r = self.base()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("debian: no apt-get or dpkg-deb on this host", r.stderr)
        self.assertIn("Debian's linux-source-7.3 is not available here", r.stderr)
        self.assertIn(f"id=kernel.org linux-{VERSION}", r.stdout)
        base = r.stdout.split("dir=")[1].strip()
        self.assertTrue(os.path.isfile(os.path.join(base, "Makefile")))
        # The second time, the cache answers without the mirror.
        self.server.kill()
        self.server.wait()
        again = self.base()
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertEqual(again.stdout, r.stdout)

    def test_bad_checksum_stops_prepare(self):
        self.list("0" * 64)
        r = self.base()
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("checksum mismatch", r.stderr)
        self.assertIn("prepare: error: no base", r.stderr)

    def test_kernel_tarball_by_url(self):
        r = self.base(KERNEL_TARBALL=self.url + self.name)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(f"id=tarball {self.name} sha256:{self.sum[:16]}", r.stdout)


if __name__ == "__main__":
    unittest.main()
