"""The run profiles: which configs, build dir, architecture and boot.

Each profile is one kunit.py configuration with a build dir of its own
under build/.  run.py configures, builds and boots them; the SMP ones boot
x86_64 under QEMU, because UML on 6.12 has one CPU.
"""
import collections
import os

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
BUILD = os.environ.get("BUILD") or os.path.join(REPO, "build")
TREE = os.path.join(BUILD, "linux")
CONFIGS = os.path.join(REPO, "tools/testing/kunit/configs")
KUNITCONFIG = os.path.join(REPO, ".kunitconfig")
SMP_CPUS = 4

# configs: the kunitconfig fragments; build_dir: under build/;
# arch: kunit.py's --arch; make: extra make arguments (build and config);
# common: kunit.py arguments of both config and exec; boot: exec only;
# objects: the objects a full build compiles, for the progress lines until
# this machine has a figure of its own: measured in cold builds on Debian
# 12 (gcc 12), except bench's and bench-smp's, taken from default's and
# smp-kcsan's, whose configs they resemble.
Profile = collections.namedtuple(
    "Profile", "configs build_dir arch make common boot objects")

NOT_SLOW = ["--filter", "speed>slow"]


def config(name):
    return os.path.join(CONFIGS, name)


def kvm_usable():
    """KVM only where the CPU has virtualization and /dev/kvm is ours.

    On hosts without vmx/svm, /dev/kvm may exist and QEMU may even start
    with it, but the guest never runs; so a bare fallback list
    (-accel kvm -accel tcg) is not enough.
    """
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        return False
    try:
        with open("/proc/cpuinfo") as f:
            flags = f.read().split()
    except OSError:
        return False
    return "vmx" in flags or "svm" in flags


def smp():
    """kunit.py arguments of an x86_64 run on SMP_CPUS vCPUs under QEMU.

    TCG runs each vCPU in a host thread of its own (thread=multi); KVM is
    used where it works.  KTHREAD_CORE_ACCEL=tcg or kvm forces the choice.
    """
    accel = os.environ.get("KTHREAD_CORE_ACCEL") or (
        "kvm" if kvm_usable() else "tcg")
    if accel == "tcg":
        accel = "tcg,thread=multi"
    return ["--arch=x86_64",
            f"--qemu_args=-smp {SMP_CPUS} -m 2048 -accel {accel}"]


# The suite runs in well under a minute under TCG; the SMP timeout only
# ends a boot that hangs.
SMP_BOOT = ["--timeout", "600"]

PROFILES = {
    "default": Profile([KUNITCONFIG], "kunit", "um", [], [], NOT_SLOW, 616),
    "debug": Profile([KUNITCONFIG, config("kthread_debug.config")],
                     "kunit-debug", "um", [], [], ["--timeout", "900"], 659),
    # gcc 12's libgcov defines mangle_path() too: see README.
    "coverage": Profile([KUNITCONFIG,
                         os.path.join(TREE, "tools/testing/kunit/configs/coverage_uml.config")],
                        "kunit-coverage", "um",
                        ["KCFLAGS=-Dmangle_path=seq_mangle_path"], [],
                        NOT_SLOW, 616),
    "bench": Profile([config("kthread_bench.config")], "kunit-bench", "um",
                     [], [], ["--timeout", "900"], 616),
    "smp-kcsan": Profile([KUNITCONFIG, config("kthread_smp.config"),
                          config("kthread_kcsan.config")],
                         "kunit-smp-kcsan", "x86_64", [], smp(), SMP_BOOT, 1200),
    "smp-debug": Profile([KUNITCONFIG, config("kthread_debug.config"),
                          config("kthread_smp.config")],
                         "kunit-smp-debug", "x86_64", [], smp(), SMP_BOOT, 1213),
    "bench-smp": Profile([config("kthread_bench.config"),
                          config("kthread_smp.config")],
                         "kunit-bench-smp", "x86_64", [], smp(), SMP_BOOT, 1200),
}
