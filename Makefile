# SPDX-License-Identifier: GPL-2.0-only
# The verbs of the kthread_core harness: make help lists them.
#
#   make            the suite's results under UML on 4 CPUs
#   make check      everything CI runs; ends with "N passed, N failed"
#
# ARGS="..." is passed to kunit.py exec in the run targets, for example
#   make ARGS="kthread_core.*park*" (a filter glob: kunit.py exec's positional argument)
PY ?= python3
H := harness
ARGS ?=
# Our own variables (ARGS, V) go to the scripts as arguments; none of the
# command line's reaches the kernel's make (where V is its verbosity).
MAKEOVERRIDES :=
unexport ARGS V

RUNS := test debug up coverage smp-kcsan clang bench
.PHONY: all help check $(RUNS) lint model mutants docs patches patches-check upstream \
	selftest prepare deps clean distclean cache-clean

all: test

help:
	@$(H)/help.sh

deps:
	@$(H)/base/deps.sh

prepare: deps
	@$(H)/base/prepare.sh

test: prepare
	@$(PY) $(H)/runs/run.py default $(ARGS)

debug up: prepare
	@$(PY) $(H)/runs/run.py $@ $(ARGS)

coverage: prepare
	@$(H)/base/deps.sh lcov genhtml
	@$(PY) $(H)/runs/coverage.py $(ARGS)

smp-kcsan: prepare
	@$(H)/base/deps.sh qemu-system-x86_64 libelf
	@$(PY) $(H)/runs/run.py $@ $(ARGS)

clang: prepare
	@$(H)/base/deps.sh clang
	@$(PY) $(H)/runs/run.py $@ $(ARGS)

bench: prepare
	@$(PY) $(H)/runs/bench.py $(ARGS)

lint: prepare
	@$(H)/base/deps.sh sparse clang
	@$(H)/checks/lint.sh

model:
	@$(H)/base/deps.sh spin
	@$(H)/checks/model.sh

# The planted bugs of harness/checks/mutants.txt, one at a time, against
# the profiles in ARGS (default: default).  Not part of make check.
mutants: prepare
	@$(PY) $(H)/checks/mutants.py $(ARGS)

docs: prepare
	@$(H)/base/deps.sh sphinx-build
	@$(H)/checks/docs.sh

# The upstream series in build/patches, generated from patches/ and the
# overlay: V=2 for a second version.
patches: prepare
	@$(H)/series/series.sh $(V)

patches-check: prepare
	@$(H)/base/deps.sh ply gitpython
	@$(H)/series/patches-check.sh

# Upstream's own suites of what the series touches, without and with it.
upstream: prepare
	@$(H)/base/deps.sh qemu-system-x86_64 libelf
	@$(H)/series/upstream.sh

selftest:
	@$(PY) -m unittest discover -s $(H)/tests

check:
	@$(H)/check.sh

clean:
	rm -rf build/kunit build/kunit-* build/linux/.kunit build/linux/.kunit-* \
		build/lint-* build/results build/results.json \
		build/coverage build/bench.json build/patches build/series build/series-check \
		build/upstream build/docs build/model

distclean:
	rm -rf build

# The machine-wide cache (ccache, unpacked bases, apt lists) that distclean keeps.
cache-clean:
	@$(PY) $(H)/base/cache.py clean
