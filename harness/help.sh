#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make help: the targets and the variables, as the README lists them.
cat <<'HELP'
Targets (make TARGET):
  test (default)  the kunit.py command of kthread_core.rst, as written, without the
                  slow cases: the kthread_core suite under UML on 4 CPUs
  check           everything CI runs, in order; ends with "N passed, N failed"
  debug           the suite and the stress case on 4 UML CPUs: KASAN, lockdep,
                  PREEMPT, DEBUG_OBJECTS, UBSAN, the hung-task detector
  up              the suite and the stress case on uniprocessor UML
  coverage        line and branch coverage of kernel/kthread_core.c (build/coverage/)
  smp-kcsan       the suite, the stress case and kcsan_test on x86_64 under QEMU, KCSAN
  clang           the suite under UML on 4 CPUs, built with clang 19
  bench           kthread_core against kthread_run()/kthread_stop() on 4 UML CPUs
  lint            checkpatch --strict, kernel-doc, W=1 with gcc and clang, sparse
  model           Spin's checks of model/kthread_core.pml, and its mutants
  mutants         the suite against each planted bug of harness/checks/mutants.txt
                  (ARGS="default debug": the profiles; not in make check)
  docs            the core-api documentation in HTML (build/docs/)
  patches         the upstream series in build/patches/ (V=2 for a v2)
  patches-check   the series applies, is clean, bisects, and its documented run passes
  upstream        upstream's suites of what the series touches, without and with it
  selftest        the harness's own tests
  prepare         lay build/linux (the base, patches/, the overlay) if needed
  deps            check the tools; as root, install them with apt-get
  clean, distclean, cache-clean   remove results; all of build/; the machine's cache

Variables (make VAR=... or the environment): see README.md, "Environment".
  ARGS=...        extra kunit.py exec arguments of a run, e.g. a filter glob, "kthread_core.*park*";
                  make mutants: the profiles
  V=N             make patches: the version of the series
HELP
