# Quick start:  make demo   (renders the bundled examples into out/)
#               make test   (type check and the test suite)
# Both create .venv and install xxgk into it on first use.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test check typecheck lint templates bench bench-check clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/xxgk render inputs/xingtai-2022.toml -o out/
	$(BIN)/xxgk render inputs/gov-2021-example.toml -o out/
	$(BIN)/xxgk batch inputs/branches/ -o out/branches/ --defaults inputs/branches/_defaults.toml --summary out/branches/汇总.xlsx
	$(BIN)/xxgk aggregate inputs/branches/ --defaults inputs/branches/_defaults.toml --base inputs/branches/_center.toml -o out/branches/合计.toml --force
	$(BIN)/xxgk render out/branches/合计.toml -o out/branches/合计/
	@echo "生成的报告在 out/ 文件夹中。"

test: typecheck
	$(BIN)/python -m pytest -q

typecheck: $(STAMP)
	$(BIN)/python -m mypy

lint: $(STAMP)
	$(BIN)/python -m ruff check src tests bench

templates: $(STAMP)
	$(BIN)/python -m xxgk.template_builder templates

bench: $(STAMP)
	$(BIN)/python bench/bench.py

bench-check: $(STAMP)
	$(BIN)/python bench/bench_check.py 1000

clean:
	rm -rf out build dist .pytest_cache .mypy_cache
