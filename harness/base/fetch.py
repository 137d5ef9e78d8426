#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Fetch a kernel.org tarball and check it against kernel.org's list.

usage: fetch.py VERSION DIR        linux-VERSION.tar.xz from $KERNEL_URL
       fetch.py --url URL DIR      any tarball, by URL (KERNEL_TARBALL)

Downloads the tarball into DIR with urllib (Python's standard library:
nothing else to install), and refuses it unless its SHA-256 is
$KERNEL_SHA256 or, without that, the one that the sha256sums.asc
published beside it gives for its name.  When gpgv and kernel.org's
signing keys are on the host, the list's signature is verified too;
otherwise a notice says it was not.  Prints the verified tarball's path
as the last line of its output.

KERNEL_URL      the directory, default https://cdn.kernel.org/pub/linux/kernel/v7.x/
KERNEL_SHA256   the tarball's SHA-256, for one with no list beside it (an -rc)
KERNEL_KEYRING  the keyring for gpgv, default gpgv's own trustedkeys.kbx
"""
import hashlib
import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

DEFAULT_URL = "https://cdn.kernel.org/pub/linux/kernel/v7.x/"
LIST = "sha256sums.asc"


class FetchError(Exception):
    pass


def say(msg):
    print(f"fetch: {msg}", file=sys.stderr, flush=True)


def download(url, dest):
    """Download @url to @dest (atomically); FetchError naming the URL."""
    part = dest + ".part"
    try:
        with urllib.request.urlopen(url, timeout=60) as r, open(part, "wb") as f:
            shutil.copyfileobj(r, f, 1 << 20)
    except (urllib.error.URLError, OSError, ValueError) as e:
        if os.path.exists(part):
            os.remove(part)
        if isinstance(e, urllib.error.HTTPError):
            reason = f"HTTP {e.code} {e.reason}"
        else:
            reason = getattr(e, "reason", None) or e
        raise FetchError(f"cannot download {url}: {reason}") from None
    os.replace(part, dest)


def listed_sha256(list_path, name):
    """The SHA-256 that a sha256sums list gives for file @name, or None.

    Of a clearsigned list, only the signed text counts.
    """
    with open(list_path, errors="replace") as f:
        for line in f:
            if line.startswith("-----BEGIN PGP SIGNATURE"):
                break
            parts = line.split()
            if len(parts) == 2 and parts[1].lstrip("*") == name and \
                    len(parts[0]) == 64:
                return parts[0].lower()
    return None


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def keyring():
    """The keyring gpgv would use, if it exists."""
    if os.environ.get("KERNEL_KEYRING"):
        return os.environ["KERNEL_KEYRING"]
    home = os.environ.get("GNUPGHOME") or os.path.expanduser("~/.gnupg")
    for name in ("trustedkeys.kbx", "trustedkeys.gpg"):
        if os.path.exists(os.path.join(home, name)):
            return os.path.join(home, name)
    return None


def check_signature(list_path):
    """Verify the list's signature where gpgv and keys exist; else say so."""
    gpgv = shutil.which("gpgv")
    ring = keyring()
    if not gpgv or not ring:
        what = "gpgv is not installed" if not gpgv else "no kernel.org keys"
        say(f"notice: the signature of {LIST} was NOT verified ({what}); "
            "only the tarball's SHA-256 against that list was checked.  "
            "To verify it too, install gpgv and import the kernel.org "
            "signing keys (https://www.kernel.org/signature.html) into "
            "~/.gnupg/trustedkeys.kbx or set KERNEL_KEYRING")
        return False
    r = subprocess.run([gpgv, "--keyring", ring, list_path],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise FetchError(f"the signature of {list_path} does not verify "
                         f"with {ring}:\n{r.stderr.strip()}")
    say(f"the signature of {LIST} verified with {ring}")
    return True


def expected_sha256(url, name, dest_dir):
    """(SHA-256 the tarball must have, where that comes from)."""
    given = os.environ.get("KERNEL_SHA256", "").strip().lower()
    if given:
        if len(given) != 64 or any(c not in "0123456789abcdef" for c in given):
            raise FetchError(f"KERNEL_SHA256={given} is not a SHA-256 (64 hex digits)")
        return given, "KERNEL_SHA256"
    list_url = urllib.parse.urljoin(url, LIST)
    list_path = os.path.join(dest_dir, LIST)
    say(f"downloading {list_url}")
    try:
        download(list_url, list_path)
    except FetchError as e:
        raise FetchError(f"{e}; for a tarball with no {LIST} beside it "
                         "(an -rc), give its SHA-256 with KERNEL_SHA256=") from None
    want = listed_sha256(list_path, name)
    if not want:
        raise FetchError(f"{list_url} lists no SHA-256 for {name}")
    check_signature(list_path)
    return want, list_url


def fetch(url, dest_dir):
    """Download the tarball at @url; return its verified path."""
    name = os.path.basename(urllib.parse.urlparse(url).path)
    os.makedirs(dest_dir, exist_ok=True)
    tarball = os.path.join(dest_dir, name)
    want, source = expected_sha256(url, name, dest_dir)
    got = sha256(tarball) if os.path.exists(tarball) else None
    if got != want:
        say(f"downloading {url}")
        download(url, tarball)
        got = sha256(tarball)
    if got != want:
        os.rename(tarball, tarball + ".bad")
        raise FetchError(
            f"checksum mismatch for {name}: {source} gives {want}, the "
            f"download from {url} has {got}; it was refused and kept as "
            f"{tarball}.bad.  Check KERNEL_URL (a mirror out of step?) "
            "and run again")
    say(f"{name}: SHA-256 matches {os.path.basename(source)}")
    return tarball


def main(argv):
    if len(argv) == 4 and argv[1] == "--url":
        url, dest = argv[2], argv[3]
    elif len(argv) == 3:
        base = os.environ.get("KERNEL_URL") or DEFAULT_URL
        url = urllib.parse.urljoin(base.rstrip("/") + "/",
                                   f"linux-{argv[1]}.tar.xz")
        dest = argv[2]
    else:
        sys.exit(__doc__)
    try:
        print(fetch(url, dest))
    except FetchError as e:
        say(f"error: {e}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
