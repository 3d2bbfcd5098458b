# Every target installs what it needs first, so a fresh clone needs only Python 3.11 and make.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
VAR := var
SCALE ?= small
LANDING := $(VAR)/landing/$(SCALE)
WAREHOUSE := $(VAR)/warehouse/lrm.duckdb
PUBLISHED := $(VAR)/warehouse/published/lrm_analyst.duckdb
APP_HOST ?= 127.0.0.1
APP_PORT ?= 8050
# One Dagster instance for the UI and for `lrm run`, so command-line runs are in its history.
DAGSTER_HOME_DIR := $(abspath $(VAR))/dagster_home
DAGSTER_PORT ?= 3000

.PHONY: install run test lint format mutants bench bench-scale dagster clean browser app

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e .
	touch $(STAMP)

dbt_project/target/manifest.json: $(STAMP) $(shell find dbt_project/models dbt_project/macros dbt_project/tests seeds -type f 2>/dev/null) dbt_project/dbt_project.yml
	PATH=$(abspath $(BIN)):$$PATH $(BIN)/dagster-dbt project prepare-and-package --file pipelines/defs/dbt/project.py

install: $(STAMP) dbt_project/target/manifest.json

$(DAGSTER_HOME_DIR)/dagster.yaml: dagster_home/dagster.yaml
	mkdir -p $(DAGSTER_HOME_DIR) && cp dagster_home/dagster.yaml $@

run: install $(DAGSTER_HOME_DIR)/dagster.yaml
	$(BIN)/lrm generate --out $(LANDING) --scale $(SCALE) --seed 42
	DAGSTER_HOME=$(DAGSTER_HOME_DIR) $(BIN)/lrm run --landing $(LANDING) --warehouse $(WAREHOUSE)

# The data-quality and map-app tests open pages in headless Chromium (Debian package),
# driven by Playwright pointed at it (Playwright downloads no browser).
browser:
	command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)

test: install browser lint
	$(BIN)/python -m pytest -q

# Style, checked by `make test`: ruff's lint and format (pyproject.toml); `make format` fixes.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Mutation testing (README "Mutation testing"): each mutant of tests/mutants/catalogue.py breaks one
# rule or safety promise on purpose, in a copy of the repository; the tests it names must
# fail. Outside `make test` (its wall time: README).
mutants: install browser
	$(BIN)/python -m tests.mutants

bench: install browser
	$(BIN)/python -m pipelines.bench

# The whole hired workforce (about 7M contracts, one drop) run in full (README "Benchmark").
bench-scale: install
	$(BIN)/python -m pipelines.bench scale

# The map app over the published copy of `make run` (http://127.0.0.1:8050; run `make run` first).
app: install
	$(BIN)/python -m pipelines.app --published $(PUBLISHED) --host $(APP_HOST) --port $(APP_PORT)

# The UI on http://127.0.0.1:$(DAGSTER_PORT), over the warehouse and landing of `make run`.
dagster: install $(DAGSTER_HOME_DIR)/dagster.yaml
	DAGSTER_HOME=$(DAGSTER_HOME_DIR) LRM_WAREHOUSE=$(abspath $(WAREHOUSE)) LRM_LANDING=$(abspath $(LANDING)) \
		$(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p $(DAGSTER_PORT)

clean:
	rm -rf $(VAR) dbt_project/target
