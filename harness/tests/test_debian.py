# SPDX-License-Identifier: GPL-2.0-only
"""debian.sh and base.sh against a signed Debian archive on loopback.

A small archive with unstable and experimental, signed by a key made for
the test, holds a fake linux-source-7.3; python3 -m http.server serves it
on 127.0.0.1.  debian.sh must find the package through its own apt
configuration (signed-by that key), download it, and refuse an archive
whose signature does not verify.
"""
import gzip
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import unittest

from common import HARNESS, write

DEBIAN = os.path.join(HARNESS, "base", "debian.sh")
BASE = os.path.join(HARNESS, "base", "base.sh")
PKG = "linux-source-7.3"
VERSION = "7.3~rc9-1~exp1"


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


@unittest.skipUnless(shutil.which("gpg") and shutil.which("apt-get")
                     and shutil.which("dpkg-deb"),
                     "needs gpg, apt-get and dpkg-deb (Debian's gnupg, apt and dpkg)")
class ArchiveCase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="kthread-debian-")
        self.www = os.path.join(self.tmp, "www")
        self.gnupg = os.path.join(self.tmp, "gnupg")
        os.makedirs(self.gnupg, mode=0o700)
        r = run(["gpg", "--homedir", self.gnupg, "--batch", "--passphrase", "",
                 "--quick-gen-key", "kthread-core archive test <test@invalid>",
                 "ed25519", "sign", "never"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.keyring = os.path.join(self.tmp, "archive.gpg")
        with open(self.keyring, "wb") as f:
            f.write(subprocess.run(["gpg", "--homedir", self.gnupg, "--export"],
                                   capture_output=True, check=True).stdout)
        self.deb = self.make_deb()
        self.make_archive()
        self.server = subprocess.Popen(
            [sys.executable, "-u", "-m", "http.server", "--bind", "127.0.0.1",
             "--directory", self.www, "0"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        port = re.search(r"port (\d+)", self.server.stdout.readline()).group(1)
        self.mirror = f"http://127.0.0.1:{port}/debian"

    def tearDown(self):
        self.server.kill()
        self.server.wait()
        self.server.stdout.close()
        # gpg's agent removes its sockets as it exits, maybe while this runs.
        shutil.rmtree(self.tmp, onerror=gone_is_fine)

    def make_deb(self):
        """A linux-source-7.3 .deb holding a tiny kernel tarball."""
        root = os.path.join(self.tmp, "pkg")
        top = os.path.join(self.tmp, PKG)
        write(os.path.join(top, "Makefile"), "VERSION = 7\n")
        os.makedirs(os.path.join(root, "usr/src"))
        with tarfile.open(os.path.join(root, "usr/src", PKG + ".tar.xz"), "w:xz") as t:
            t.add(top, arcname=PKG)
        write(os.path.join(root, "DEBIAN/control"),
              f"Package: {PKG}\nVersion: {VERSION}\nArchitecture: all\n"
              "Maintainer: test <test@invalid>\nDescription: fake kernel source\n")
        deb = os.path.join(self.www, "debian/pool/main/l/linux",
                           f"{PKG}_{VERSION}_all.deb")
        os.makedirs(os.path.dirname(deb))
        r = run(["dpkg-deb", "--root-owner-group", "-Zxz", "--build", root, deb])
        self.assertEqual(r.returncode, 0, r.stderr)
        return deb

    def make_archive(self):
        with open(self.deb, "rb") as f:
            data = f.read()
        stanza = (f"Package: {PKG}\nVersion: {VERSION}\nArchitecture: all\n"
                  "Maintainer: test <test@invalid>\n"
                  f"Filename: {os.path.relpath(self.deb, os.path.join(self.www, 'debian'))}\n"
                  f"Size: {len(data)}\nSHA256: {hashlib.sha256(data).hexdigest()}\n"
                  "Description: fake kernel source\n\n")
        for suite, packages in (("unstable", ""), ("experimental", stanza)):
            dist = os.path.join(self.www, "debian/dists", suite)
            files = {"main/binary-amd64/Packages": packages.encode(),
                     "main/binary-all/Packages": packages.encode()}
            files.update({k + ".gz": gzip.compress(v) for k, v in list(files.items())})
            for name, body in files.items():
                os.makedirs(os.path.dirname(os.path.join(dist, name)), exist_ok=True)
                with open(os.path.join(dist, name), "wb") as f:
                    f.write(body)
            date = time.strftime("%a, %d %b %Y %H:%M:%S UTC", time.gmtime())
            release = (f"Origin: Debian\nLabel: Debian\nSuite: {suite}\nCodename: {suite}\n"
                       f"Date: {date}\nArchitectures: amd64 all\nComponents: main\n"
                       "SHA256:\n" + "".join(
                           f" {hashlib.sha256(b).hexdigest()} {len(b)} {n}\n"
                           for n, b in sorted(files.items())))
            write(os.path.join(dist, "Release"), release)
            r = run(["gpg", "--homedir", self.gnupg, "--batch", "--yes", "--clearsign",
                     "-o", os.path.join(dist, "InRelease"), os.path.join(dist, "Release")])
            self.assertEqual(r.returncode, 0, r.stderr)

    def env(self, **kw):
        env = dict(os.environ, KTHREAD_CORE_DEBIAN_MIRROR=self.mirror,
                   KTHREAD_CORE_DEBIAN_KEYRING=self.keyring,
                   KTHREAD_CORE_CACHE=os.path.join(self.tmp, "cache"),
                   BUILD=os.path.join(self.tmp, "build"))
        env.pop("KTHREAD_CORE_PIN", None)
        env.update(kw)
        return env


def gone_is_fine(func, path, exc_info):
    if not issubclass(exc_info[0], FileNotFoundError):
        raise exc_info[1]


class DebianTest(ArchiveCase):
    def test_version_and_download_through_own_apt(self):
        r = run(["bash", DEBIAN, "version"], env=self.env())
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), VERSION)
        self.assertIn("refreshing the harness's package lists", r.stderr)
        dl = os.path.join(self.tmp, "dl")
        r = run(["bash", DEBIAN, "download", dl], env=self.env())
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), os.path.join(dl, f"{PKG}_{VERSION}_all.deb"))
        with open(os.path.join(self.tmp, "cache/apt/sources.list")) as f:
            self.assertIn(f"deb [signed-by={self.keyring}] {self.mirror} experimental main",
                          f.read())

    def test_base_unpacks_the_package(self):
        r = run(["bash", BASE], env=self.env())
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(f"id=debian {PKG} {VERSION}", r.stdout)
        base = r.stdout.split("dir=")[1].strip()
        self.assertTrue(os.path.isfile(os.path.join(base, "Makefile")))

    def test_bad_signature_is_refused(self):
        other = os.path.join(self.tmp, "other")
        os.makedirs(other, mode=0o700)
        run(["gpg", "--homedir", other, "--batch", "--passphrase", "",
             "--quick-gen-key", "someone else <else@invalid>", "ed25519", "sign", "never"])
        with open(self.keyring, "wb") as f:
            f.write(subprocess.run(["gpg", "--homedir", other, "--export"],
                                   capture_output=True, check=True).stdout)
        r = run(["bash", DEBIAN, "version"], env=self.env())
        self.assertEqual(r.returncode, 2)
        self.assertRegex(r.stderr, r"NO_PUBKEY|not signed|signature")
        self.assertNotIn(VERSION, r.stdout)

    def test_missing_keyring_is_a_reason_to_fall_back(self):
        r = run(["bash", DEBIAN, "version"],
                env=self.env(KTHREAD_CORE_DEBIAN_KEYRING="/nonexistent.gpg"))
        self.assertEqual(r.returncode, 2)
        self.assertIn("no Debian archive keyring at /nonexistent.gpg", r.stderr)


if __name__ == "__main__":
    unittest.main()
