#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Stand in for qemu-system-ARCH in kunit.py's QEMU runs: drop the
accelerators that must not be tried, then run the real QEMU.

kunit.py passes "-accel kvm -accel hvf -accel tcg" before the profile's
own arguments, and QEMU takes the first accelerator that initializes.  On
a host where /dev/kvm opens but the CPU has no vmx or svm, KVM
initializes and the guest then never runs.  run.py puts this script
first on PATH, under the real binary's name, when profiles.py decides
against KVM; KTHREAD_CORE_QEMU_DROP lists the accelerators to drop
(comma-separated), KTHREAD_CORE_QEMU the real binary.
"""
import os
import sys


def filtered(args, drop):
    out, i = [], 0
    while i < len(args):
        if args[i] == "-accel" and i + 1 < len(args) and \
                args[i + 1].split(",")[0] in drop:
            i += 2
            continue
        out.append(args[i])
        i += 1
    return out


def main(argv):
    real = os.environ.get("KTHREAD_CORE_QEMU")
    if not real:
        sys.exit("qemu-shim: KTHREAD_CORE_QEMU is not set: run it through harness/runs/run.py")
    drop = set(filter(None, os.environ.get("KTHREAD_CORE_QEMU_DROP", "").split(",")))
    os.execv(real, [real] + filtered(argv[1:], drop))


if __name__ == "__main__":
    main(sys.argv)
