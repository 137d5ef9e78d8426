# SPDX-License-Identifier: GPL-2.0-only
"""The run profiles: which configs, build dir, architecture and boot.

Each profile is one kunit.py configuration with a build dir of its own
under build/.  run.py configures, builds and boots them.  UML runs on
SMP_CPUS CPUs (each a host thread) unless the profile is uniprocessor;
the KCSAN run boots x86_64 under QEMU, as UML has no KCSAN.
"""
import collections
import os
import shlex
import shutil
import sys

# cache.py is the base's (harness/base), doccmd.py the series' (harness/series).
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "base"))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "series"))
import cache  # noqa: E402
import doccmd  # noqa: E402

REPO = os.path.dirname(os.path.dirname(HERE))
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
# 12 (gcc 12), except bench's, taken from default's, whose config it
# resembles.
# glob: the suites that run when the caller gives no filter glob of its own.
Profile = collections.namedtuple(
    "Profile", "configs build_dir arch make common boot objects glob",
    defaults=(None,))

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


def accel():
    """QEMU's accelerator: KVM where it works, else TCG, one host thread
    per vCPU.  KTHREAD_CORE_ACCEL=tcg or kvm forces the choice."""
    accel = os.environ.get("KTHREAD_CORE_ACCEL") or (
        "kvm" if kvm_usable() else "tcg")
    return "tcg,thread=multi" if accel == "tcg" else accel


def qemu_drop():
    """The accelerators of kunit.py's list that run.py's qemu-shim.py must
    drop: all but the chosen one, as QEMU takes the first that starts."""
    return ",".join(a for a in ("kvm", "hvf", "tcg")
                    if a != accel().split(",")[0])


def qemu_env(env, arch="x86_64"):
    """@env with qemu-shim.py first on PATH as qemu-system-@arch."""
    real = shutil.which(f"qemu-system-{arch}", path=env.get("PATH"))
    if not real:
        return env
    shim_dir = os.path.join(cache.ROOT, "qemu-shim")
    os.makedirs(shim_dir, exist_ok=True)
    link = os.path.join(shim_dir, f"qemu-system-{arch}")
    shim = os.path.join(HERE, "qemu-shim.py")
    if os.path.realpath(link) != os.path.realpath(shim):
        if os.path.lexists(link):
            os.remove(link)
        os.symlink(shim, link)
    return dict(env, KTHREAD_CORE_QEMU=real, KTHREAD_CORE_QEMU_DROP=qemu_drop(),
                PATH=shim_dir + os.pathsep + env.get("PATH", ""))


def smp():
    """kunit.py arguments of an x86_64 run on SMP_CPUS vCPUs under QEMU."""
    return ["--arch=x86_64",
            f"--qemu_args=-smp {SMP_CPUS} -m 2048 -accel {accel()}"]


# The suite runs in well under a minute under TCG; the timeout only ends
# a boot that hangs.
QEMU_BOOT = ["--timeout", "600"]

# UML SMP: ncpus CPUs, and seccomp mode, without which UML refuses SMP
# ("SMP is not supported with PTRACE userspace").
UML_SMP = ["--kernel_args", f"ncpus={SMP_CPUS}", "--kernel_args", "seccomp=on"]
# Every boot stamps its lines, for timing.py's per-case durations.
TIMED = ["--kernel_args", "printk.time=1"]
SMP = config("kthread_smp.config")
CLANG = "LLVM=-19"
DEBUG = config("kthread_debug.config")
# Right after .kunitconfig in every profile of make check but the
# documented run: the subsystems that no case needs, left out.
LEAN = config("kthread_lean.config")
# With LEAN, in the profiles that are not debug kernels.
NODEBUG = config("kthread_nodebug.config")
# With LEAN, in the profiles that run no block driver's test: all but debug.
NOBLOCK = config("kthread_noblock.config")
# The callers' suites, run in debug: aoe's (drivers/block/aoe).
AOE = os.path.join(TREE, "drivers/block/aoe/.kunitconfig")
RST = os.path.join(REPO, "Documentation/core-api/kthread_core.rst")


def documented():
    """The kunit.py command of the rst, split: (its config arguments, its
    boot arguments, its filter glob).  The default profile runs it as
    written, in the kunit.py build dir of the tree (build/linux/.kunit),
    so that make patches-check, which runs the same command on the series
    as git am applies it (in its .kunit), finds every object in ccache:
    same config, same relative paths."""
    with open(RST) as f:
        cmd = doccmd.command(f)
    if not cmd:
        sys.exit(f"profiles.py: no kunit.py command in {RST}: the default run is that command")
    args = shlex.split(cmd)[2:]
    conf, boot, glob = [], [], None
    while args:
        a = args.pop(0)
        if a in ("--kconfig_add", "--kernel_args") and not args:
            sys.exit(f"profiles.py: {a} without a value in the kunit.py command of {RST}")
        if a == "--kconfig_add":
            conf += [a, args.pop(0)]
        elif a == "--kernel_args":
            boot += [a, args.pop(0)]
        elif not a.startswith("-") and glob is None:
            glob = a
        else:
            sys.exit(f"profiles.py: {a!r} in the kunit.py command of {RST}: "
                     "only --kconfig_add, --kernel_args and a glob are known")
    return conf, boot, glob


DOC_CONFIG, DOC_BOOT, DOC_GLOB = documented()
# What kunit.py takes when it is given no kunitconfig, as the rst's command
# is: named, so that a stale .kunitconfig in the build dir cannot count.
DOC_KUNITCONFIG = os.path.join(TREE, "tools/testing/kunit/configs/default.config")
# Coverage of the project's own code only: gcc's --coverage on
# kernel/kthread_core.c and kernel/workqueue.c (keventd_up()), and at the
# link, which then takes in libgcov.  The config is the default profile's,
# so that every other object is the default build's from ccache; UML's
# CONFIG_GCOV would instrument, and recompile, the whole kernel.  UML links
# vmlinux with the compiler, given $(CC_FLAGS_LTO), empty without LTO.
COVERAGE = ["CFLAGS_kthread_core.o=--coverage", "CFLAGS_workqueue.o=--coverage",
            "CC_FLAGS_LTO=--coverage"]

PROFILES = {
    # The rst's documented command, as written, less the slow cases.
    "default": Profile([DOC_KUNITCONFIG], "linux/.kunit", "um", [], DOC_CONFIG,
                       NOT_SLOW + DOC_BOOT, 680, DOC_GLOB),
    "debug": Profile([KUNITCONFIG, LEAN, DEBUG, SMP, AOE], "kunit-debug", "um", [], [],
                     ["--timeout", "900"] + UML_SMP, 659),
    # Uniprocessor UML: CONFIG_SMP=n takes other paths in the kernel.
    # Upstream's drivers/base/test suites run here too: make upstream
    # compares them with the base, built with the same config.
    "up": Profile([KUNITCONFIG, LEAN, NOBLOCK, NODEBUG,
                   os.path.join(TREE, "drivers/base/test/.kunitconfig")],
                  "kunit-up", "um", [], [], ["--timeout", "900"], 616),
    # In the tree too, for the same relative paths as the default build.
    "coverage": Profile([DOC_KUNITCONFIG], "linux/.kunit-coverage", "um", COVERAGE,
                        DOC_CONFIG,
                        NOT_SLOW + DOC_BOOT, 680, DOC_GLOB),
    # clang 19 (Debian 12's newest; 7.3 needs LLVM 17.0.1 or later).
    "clang": Profile([KUNITCONFIG, LEAN, NOBLOCK, NODEBUG, SMP], "kunit-clang", "um", [CLANG], [],
                     NOT_SLOW + UML_SMP, 616),
    "bench": Profile([config("kthread_bench.config"), SMP], "kunit-bench", "um",
                     [], [], ["--timeout", "900"] + UML_SMP, 616),
    "smp-kcsan": Profile([KUNITCONFIG, LEAN, NOBLOCK, SMP, config("kthread_kcsan.config")],
                         "kunit-smp-kcsan", "x86_64", [], smp(), QEMU_BOOT, 1200),
}


def kunit_args(name):
    """kunit.py run's arguments of profile @name, without --build_dir:
    what make upstream runs on the base, to get the profile's config."""
    prof = PROFILES[name]
    return ([f"--arch={prof.arch}"] + [f"--kunitconfig={c}" for c in prof.configs]
            + [f"--make_options={m}" for m in prof.make]
            + [a for a in prof.common if not a.startswith("--arch=")] + prof.boot)


if __name__ == "__main__":
    # profiles.py qemu-env: the shell exports of a QEMU run (upstream.sh);
    # profiles.py kunit-args NAME: a profile's kunit.py arguments, quoted;
    # profiles.py build-dir NAME: its build dir's name under build/.
    if sys.argv[1:2] in (["kunit-args"], ["build-dir"]) and len(sys.argv) == 3 \
            and sys.argv[2] in PROFILES:
        name = sys.argv[2]
        print(PROFILES[name].build_dir if sys.argv[1] == "build-dir" else
              " ".join(shlex.quote(a) for a in kunit_args(name)))
        sys.exit(0)
    if sys.argv[1:] != ["qemu-env"]:
        sys.exit("usage: profiles.py qemu-env | kunit-args NAME | build-dir NAME, "
                 "NAME one of " + ",".join(PROFILES))
    env = qemu_env(dict(os.environ))
    for key in ("KTHREAD_CORE_QEMU", "KTHREAD_CORE_QEMU_DROP", "PATH"):
        if key in env:
            print(f"export {key}='{env[key]}'")
    print(f"ACCEL='{accel()}'")
