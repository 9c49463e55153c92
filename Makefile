# Kota Jambi Bahagia analysis notebooks. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.setup-done
SOURCE ?= data/raw/sample
PERIOD ?= latest
LANG_ ?= id

.DEFAULT_GOAL := help
.PHONY: help setup report explore test test-fast lint format lab sample templates lock bench clean-outputs

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): requirements/requirements.lock pyproject.toml scripts/setup_system.sh
	bash scripts/setup_system.sh
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -r requirements/requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	$(PY) -m pip check
	$(PY) -m compileall -q src  # byte code written once: PYTHONDONTWRITEBYTECODE=1 machines recompile every import otherwise
	$(PY) -m ipykernel install --sys-prefix --name kota-jambi --display-name "Python (Kota Jambi)" >/dev/null
	touch $(STAMP)

setup: $(STAMP) ## Create .venv from the lock file, install the package and the Jupyter kernel

report: $(STAMP) ## Clean, evaluate and publish the briefing of the bundled sample (latest period and 100-hari)
	$(PY) -m analysis run --raw $(SOURCE) --period $(PERIOD) --lang $(LANG_)
	$(PY) -m analysis run --raw $(SOURCE) --period 100-hari --lang $(LANG_)

explore: $(STAMP) ## Run notebooks/06_explore.ipynb over every period of the sample; HTML in reports/<source>/
	$(PY) -m analysis.publish.explore --raw $(SOURCE)

test: $(STAMP) ## Run the whole test suite (installs Chromium for the browser test when run as root)
	bash scripts/setup_system.sh --test
	$(PY) -m pytest -n 2

test-fast: $(STAMP) ## Run the fast tests only (no notebook execution or PDF export)
	$(PY) -m pytest -m "not slow" -n 2

lint: $(STAMP) ## ruff (lint + format check), notebooks without outputs, the import contract (stages)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/nbstripout --keep-id --verify notebooks/*.ipynb
	$(VENV)/bin/lint-imports --no-cache

format: $(STAMP) ## Apply ruff fixes and formatting, strip notebook outputs
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
	$(VENV)/bin/nbstripout --keep-id notebooks/*.ipynb

lab: $(STAMP) ## Start JupyterLab with the project's kernel
	$(VENV)/bin/jupyter lab --no-browser $(if $(filter 0,$(shell id -u)),--allow-root) notebooks/

sample: $(STAMP) ## Regenerate the bundled synthetic sample (byte-identical)
	$(PY) -m analysis sample --out data/raw/sample

templates: $(STAMP) ## Write blank Excel templates for the city to reports/templates/
	$(PY) -m analysis templates --out reports/templates

bench: $(STAMP) ## Run the benchmarks in bench/ (minutes)
	$(PY) bench/run.py

lock: ## Re-resolve requirements/requirements.lock from requirements.in (needs uv)
	uv pip compile requirements/requirements.in --python-version 3.11 --no-emit-package rfc3987-syntax \
	  --no-emit-package lark -o requirements/requirements.lock

clean-outputs: ## Delete generated outputs (data/processed, reports) but keep their READMEs
	find data/processed reports -mindepth 1 -not -name README.md -delete
