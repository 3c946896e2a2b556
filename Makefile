# Lotse – the two commands a user needs are `make run` and `make test`.
# Everything else (venv, spaCy pipeline, model) is built on demand by them.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV      := .venv
PY        := $(VENV)/bin/python
RASA      := RASA_TELEMETRY_ENABLED=false $(VENV)/bin/rasa
SPACY_DIR := build/spacy/de_lotse
MODEL     := models/lotse.tar.gz
EVAL_FILE ?= ../shared/eval/dev_questions.yml

TRAINING_INPUTS := config.yml domain.yml $(shell find data guides -name '*.yml' 2>/dev/null)

export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

.PHONY: help setup model run test lint eval check-guides clean conversations purge
.PHONY: cluster-deps run-cluster test-cluster
.PHONY: chromium feedback-report guide-changes

help:
	@echo "make run    – set up, train if needed, start Lotse (page on :8080, REST on :5005, actions on :5055)"
	@echo "make test   – set up, train if needed, run every test"
	@echo "make eval   – ask every question of EVAL_FILE=$(EVAL_FILE) over REST"
	@echo "make lint   – ruff, mypy and the layering contract of bot/ (import-linter)"
	@echo "make conversations – run the trainers' test conversations (tests/conversations)"
	@echo "make bench – Lotse (with/without speed-ups) next to stock Rasa: latency, throughput, memory (bench/results.md)"
	@echo "make check-guides  – check guides, vocabulary, domain, rules, examples, conversations;  make model – train if needed"
	@echo "make examples – regenerate the training examples data/nlu/generated/ from data/generator/templates.yml"
	@echo "make clean  – remove models, build, var (not .venv)"
	@echo "make purge  – delete conversations and logs older than LOTSE_RETENTION_DAYS (default 30)"
	@echo "make feedback-report – the 👎 per guide entry and the unanswered questions (var/reports/feedback.md)"
	@echo "make guide-changes FROM=<rev> [TO=<rev>] – what changed in the guides, for staff (var/reports/guide-changes.md/.html)"
	@echo "make trainer-add NAME=<name> – a trainer account for the workbench at http://localhost:8080/trainer"
	@echo "make run-cluster  – PostgreSQL, Redis, 2 Rasa + actions behind nginx (:7080);  make test-cluster"

# The venv is (re)built when the lock file changes. Fails at once without Python 3.10.
$(VENV)/.installed: requirements.lock
	@PY310=$$(scripts/find-python310) || exit 1; \
	  if ! $(PY) -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null \
	     || ! $(PY) -m pip --version >/dev/null 2>&1; then \
	    rm -rf $(VENV) && $$PY310 -m venv $(VENV); \
	  fi
	@# this machine's pip.conf names extra package folders that may be missing: hide those warnings
	set -o pipefail; $(PY) -m pip install --quiet --disable-pip-version-check --no-deps \
	  -r requirements.lock 2>&1 | { grep -v "is ignored: it is neither" || true; }
	$(PY) -m pip check >/dev/null || { $(PY) -m pip check; exit 1; }
	touch $@

$(SPACY_DIR)/meta.json: $(VENV)/.installed bot/ops/spacy_build.py
	$(PY) -m bot.ops.spacy_build $(SPACY_DIR)

setup: $(VENV)/.installed $(SPACY_DIR)/meta.json

# Every check across the files a trainer edits (bot/trainers/check.py); every problem at once, with
# file:line and key path; exit 1 on any. Also the pre-commit hook (.pre-commit-config.yaml).
check-guides: setup
	$(PY) -m bot.cli check-guides

# Retrain only when config, domain, training data or guides changed since the last model.
$(MODEL): $(TRAINING_INPUTS) $(SPACY_DIR)/meta.json
	$(PY) -m bot.cli check-guides
	$(RASA) train --fixed-model-name lotse --out models --quiet
	touch $@

model: $(MODEL)

run: $(MODEL)
	$(PY) -m bot.cli run

lint: setup
	$(VENV)/bin/ruff check bot actions tests
	$(VENV)/bin/ruff format --check --quiet bot actions tests
	$(VENV)/bin/mypy bot actions tests
	$(VENV)/bin/lint-imports --no-cache   # the layers of bot/ (pyproject.toml, [tool.importlinter])

eval: $(MODEL)
	$(PY) -m bot.cli eval $(EVAL_FILE)

# The trainers' test conversations (tests/conversations/*.yml, or CONVERSATION_FILES=…) over REST;
# starts Lotse when nothing answers on :5005. Report and plot go to var/reports/.
conversations: $(MODEL)
	$(PY) -m bot.cli conversations $(CONVERSATION_FILES)

# Training examples from templates and word lists (bot/trainers/generate_examples.py, fixed seed): writes
# data/nlu/generated/<intent>.yml, which is committed; a test checks it equals a fresh generation.
.PHONY: examples
examples: $(VENV)/.installed
	$(PY) -m bot.trainers.generate_examples

# Lotse, Lotse without its speed-ups and stock Rasa on this machine (bot/ops/bench.py): trains Lotse and
# stock from scratch, prints the table and writes bench/results.md (~16 min on 2 cores). Not part of
# `make test`, which runs its smoke check.
.PHONY: bench
bench: $(SPACY_DIR)/meta.json
	$(PY) -m bot.cli bench $(BENCH_ARGS)

test: $(MODEL) chromium
	$(PY) -m bot.cli check-guides   # every check across files, also when the model was up to date
	$(RASA) data validate --fail-on-warnings --quiet
	$(RASA) test core --stories tests/stories --fail-on-prediction-errors --out var/test-results --quiet
	$(MAKE) --no-print-directory lint
	$(PY) -m pytest

# The cluster (bot/ops/cluster/): Debian's postgresql, redis-server and nginx, installed when missing.
cluster-deps:
	scripts/install-cluster-debs

run-cluster: $(MODEL) cluster-deps
	$(PY) -m bot.ops.cluster

# Real PostgreSQL, Redis, nginx and two Rasa instances on test ports (LOTSE_TEST_PORT_BASE + 500 …).
test-cluster: $(MODEL) cluster-deps
	LOTSE_CLUSTER_TESTS=1 $(PY) -m pytest tests/cluster

# The README's screenshots (docs/screenshots/): chat and call view at 1280 × 800 and 390 × 844, taken
# in Chromium from the real bot by the browser tests' screenshot test; the trainers' workbench
# (review, tests, dashboard) by its browser tests.
.PHONY: screenshots
screenshots: $(MODEL) chromium
	LOTSE_SCREENSHOTS=1 $(PY) -m pytest tests/browser/test_accessibility.py -k screenshot -q
	LOTSE_SCREENSHOTS=1 $(PY) -m pytest tests/browser/test_workbench.py -k "thumbs_down or dashboard" -q

# Debian's chromium for the browser tests (tests/browser), installed only when /usr/bin/chromium is missing.
chromium:
	@scripts/install-chromium

# A trainer account for the workbench (http://localhost:8080/trainer): asks for the password and writes
# only its argon2 hash to ~/.config/lotse/trainers (LOTSE_TRAINER_ACCOUNTS_FILE), outside the repository.
.PHONY: trainer-add
trainer-add: setup
	@test -n "$(NAME)" || { echo "usage: make trainer-add NAME=<name>" >&2; exit 2; }
	$(PY) -m bot.cli trainer-add "$(NAME)"

# The 👎 per guide entry and the questions the guides did not answer (var/reports/feedback.md).
feedback-report: setup
	$(PY) -m bot.cli feedback-report

# What changed in the guides from FROM (a git revision) to TO (default: the working tree), in German
# for staff: var/reports/guide-changes.md and .html (bot/trainers/guide_changes.py).
guide-changes: setup
	@test -n "$(FROM)" || { echo "usage: make guide-changes FROM=<git revision> [TO=<revision>]" >&2; exit 2; }
	$(PY) -m bot.cli guide-changes "$(FROM)" $(if $(TO),"$(TO)")

# Retention (bot/ops/retention.py); `make run` does the same at every start.
purge: setup
	$(PY) -m bot.cli purge

clean:
	rm -rf models build var .pytest_cache .mypy_cache
