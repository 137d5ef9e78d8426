# The verbs of the kthread_core harness.  See README.md.
#   make            prepare build/linux if needed, run the suite under UML
#   make check      everything CI runs; ends with "N passed, N failed"
PY ?= python3
H := harness

.PHONY: all test check debug coverage bench lint selftest prepare deps \
	smp smp-kcsan smp-debug smp-deps bench-smp clean distclean cache-clean \
	patches patches-check docs

all: test

deps:
	@$(H)/deps.sh

prepare: deps
	@$(H)/prepare.sh

test: prepare
	@$(PY) $(H)/run.py default

debug: prepare
	@$(PY) $(H)/run.py debug

coverage: prepare
	@$(H)/deps.sh lcov genhtml
	@$(PY) $(H)/coverage.py

bench: prepare
	@$(PY) $(H)/bench.py bench

# x86_64 under QEMU with 4 vCPUs: UML on 6.12 has one CPU.
smp-deps:
	@$(H)/deps.sh qemu-system-x86_64 libelf

smp: smp-kcsan smp-debug

smp-kcsan smp-debug: prepare smp-deps
	@$(PY) $(H)/run.py $@

bench-smp: prepare smp-deps
	@$(PY) $(H)/bench.py bench-smp

lint: prepare
	@$(H)/deps.sh sparse
	@$(H)/lint.sh

# The upstream series in build/patches, generated from patches/ and the
# overlay; patches-check proves it applies, matches, is clean and bisects.
patches: prepare
	@$(H)/series.sh

patches-check: prepare
	@$(H)/deps.sh ply gitpython
	@$(H)/patches-check.sh

docs: prepare
	@$(H)/deps.sh sphinx-build
	@$(H)/docs.sh

selftest:
	@$(PY) -m unittest discover -s $(H)/tests

check:
	@$(H)/check.sh

clean:
	rm -rf build/kunit build/kunit-* build/lint-nokunit build/results build/results.json \
		build/coverage build/bench.json build/bench-smp.json build/patches build/series \
		build/series-check build/docs

distclean:
	rm -rf build

# The machine-wide cache (ccache, unpacked bases) that distclean keeps.
cache-clean:
	@$(PY) $(H)/cache.py clean
