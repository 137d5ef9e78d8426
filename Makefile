# The verbs of the kthread_core harness.  See README.md.
#   make            prepare build/linux if needed, run the suite under UML
#   make check      everything CI runs; ends with "N passed, N failed"
PY ?= python3
H := harness

.PHONY: all test check debug coverage bench lint selftest prepare deps \
	clean distclean

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
	@$(PY) $(H)/bench.py

lint: prepare
	@$(H)/deps.sh sparse
	@$(H)/lint.sh

selftest:
	@$(PY) -m unittest discover -s $(H)/tests

check:
	@$(H)/check.sh

clean:
	rm -rf build/kunit build/kunit-* build/lint-nokunit build/results build/results.json \
		build/coverage build/bench.json

distclean:
	rm -rf build
