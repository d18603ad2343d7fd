# kubedr.astra — `make demo` and `make test` work from a fresh clone with only the machine's Python.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
UV_VERSION := 0.13.9

.PHONY: venv demo test bench dist release-check reliability units simulator-tests sanity integration lint clean

venv: $(STAMP)

$(STAMP): requirements-dev.txt requirements.txt simulator/pyproject.toml scripts/install_collections.py \
  scripts/zipimport_bytecode_cache.py
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found" >&2; exit 1; }
	[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	# uv installs the same pinned packages in seconds where pip takes most of a minute (the first minute of every CI
	# run); where uv cannot reach the index (a proxy only pip is configured for), pip does it.
	$(BIN)/pip install -q --disable-pip-version-check uv==$(UV_VERSION)
	# --compile-bytecode: uv, unlike pip, leaves the .pyc files out, and where PYTHONDONTWRITEBYTECODE is set (as on
	# this project's machines) nothing ever writes them: every ansible-playbook, simulator and test process then
	# compiles what it imports (ansible-playbook's start alone: 1.4 CPU-s instead of 0.65).
	$(BIN)/uv pip install -q --compile-bytecode --python $(BIN)/python -r requirements-dev.txt \
	  || $(BIN)/pip install -q --disable-pip-version-check -r requirements-dev.txt
	# compat: a plain path in a .pth; the default editable finder costs every Python start (each module run) 20 ms
	$(BIN)/uv pip install -q --python $(BIN)/python -e ./simulator -C editable_mode=compat \
	  || $(BIN)/pip install -q --disable-pip-version-check -e ./simulator --config-settings editable_mode=compat
	$(BIN)/python -m compileall -q simulator/astra_simulator
	# Module tasks import ansible's and the collection's code from the zip ansible sends, compiled anew by every module
	# process (a fifth of a runbook's CPU): a cache of that bytecode, as __pycache__ is for files on disk.
	$(BIN)/python scripts/zipimport_bytecode_cache.py install
	mkdir -p $(VENV)/collections/ansible_collections/kubedr
	ln -sfn $(CURDIR) $(VENV)/collections/ansible_collections/kubedr/astra
	$(BIN)/python scripts/install_collections.py --dest $(VENV)/collections
	touch $(STAMP)

# The DR demo against the local simulator (demo scenario, HTTPS with its own CA): protect, replicate, drill;
# the drill's RTO/RPO table and report path come last.
demo: venv
	ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/$(VENV)/collections ANSIBLE_NOCOLOR=1 ANSIBLE_CALLBACK_RESULT_FORMAT=yaml \
	  ANSIBLE_DISPLAY_SKIPPED_HOSTS=false ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false \
	  $(BIN)/python scripts/with_simulator.py --scenario demo --time-scale 0.05 -- \
	  $(BIN)/ansible-playbook -i localhost, -c local playbooks/demo.yml

# Sanity, lint, unit, simulator and integration tests (what CI runs). scripts/test.sh runs make venv itself, alongside
# the apt install of what the tests need from Debian.
test:
	scripts/test.sh

# What a task and a runbook cost on this machine, into docs/performance.md (scripts/bench.py says what and how): a
# no-change task against ansible.builtin.uri, requests per no-change task on the demo and a 250-app estate, the drill and
# the unplanned failover of 20, 50 and 200 apps in one and five waves, the posture runbook. Not part of make test.
# BENCH_ARGS: e.g. --quick, or --sizes 20,50.
bench: venv
	PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/python scripts/bench.py $(BENCH_ARGS)

# The release, into dist/: the collection tarball (what Galaxy / Automation Hub take; galaxy.yml's build_ignore keeps
# out all that is not the collection), and the simulator as its own Python distribution, sdist and wheel (pip install
# dist/astra_simulator-*.whl gives the astra-simulator command). python -m build fetches setuptools from PyPI.
dist: venv
	rm -rf dist
	$(BIN)/ansible-galaxy collection build --output-path dist .
	$(BIN)/python -m build --outdir dist simulator
	rm -rf simulator/build

# What make test checks of the release (scripts/release_check.sh): the tarball's files against
# tests/release/allowed-files.txt, galaxy-importer, and the installed copy's protect and drill runbooks on the lowest
# ansible-core meta/runtime.yml claims.
release-check: venv
	scripts/release_check.sh

# Every reliability scenario in full (faults, crashes, concurrency, bad input, secrets, TLS), then their figures
# into docs/reliability.md. make test runs the same tests with a bounded core.
reliability: venv
	rm -rf tests/output/reliability
	KUBEDR_RELIABILITY=full PYTHONPATH=$(CURDIR)/$(VENV)/collections ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/$(VENV)/collections \
	  $(BIN)/python -m pytest -p no:cacheprovider -n 3 --durations=20 \
	  tests/integration/test_reliability_*.py tests/integration/test_runbook_evidence.py \
	  tests/integration/test_bad_input_catalogue.py simulator/tests/test_robustness.py simulator/tests/test_exposure.py
	$(BIN)/python scripts/reliability_figures.py

units: venv
	PYTHONPATH=$(CURDIR)/$(VENV)/collections $(BIN)/python -m pytest tests/unit

simulator-tests: venv
	$(BIN)/python -m pytest simulator/tests

integration: venv
	ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/$(VENV)/collections $(BIN)/python -m pytest tests/integration

sanity: venv
	scripts/sanity.sh

lint: venv
	$(BIN)/ansible-lint --offline

clean:
	rm -rf $(VENV) .venv-release .ansible tests/output .pytest_cache dist

# The collection's docs site: module, role, filter and inventory pages and the extra docs (docs/docsite), built by
# antsibull-docs and Sphinx from the working tree into build/docs/build/html. Not part of `make test`, which lints the
# same docs strictly (scripts/docs_check.sh). Its own venv, pinned in docs/docsite/requirements.txt; ansible-doc comes
# from .venv. Sphinx runs --lenient: links into Ansible's own docs (intersphinx) resolve only with network access, and
# offline each is a warning.
DOCS_VENV := .venv-docs
DOCS_DIR := build/docs

.PHONY: docs
docs: venv $(DOCS_VENV)/.installed
	rm -rf $(DOCS_DIR)
	mkdir -p $(DOCS_DIR)
	PATH="$(CURDIR)/$(DOCS_VENV)/bin:$(CURDIR)/$(BIN):$$PATH" ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/$(VENV)/collections \
	  antsibull-docs sphinx-init --use-current --fail-on-error --lenient --dest-dir $(DOCS_DIR) --project kubedr.astra \
	  --copyright "kubedr.astra developers" --title "kubedr.astra" kubedr.astra
	PATH="$(CURDIR)/$(DOCS_VENV)/bin:$(CURDIR)/$(BIN):$$PATH" ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/$(VENV)/collections \
	  $(DOCS_DIR)/build.sh
	@echo "docs: $(DOCS_DIR)/build/html/index.html"

$(DOCS_VENV)/.installed: docs/docsite/requirements.txt
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found" >&2; exit 1; }
	[ -x $(DOCS_VENV)/bin/python ] || $(PYTHON) -m venv $(DOCS_VENV)
	$(DOCS_VENV)/bin/pip install -q --disable-pip-version-check -r docs/docsite/requirements.txt
	touch $@
