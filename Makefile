# Quick start:  make demo   (renders the bundled examples into out/; PDFs too with LibreOffice)
#               make test   (type check and the test suite)
# Both create .venv on first use: demo installs only what rendering needs,
# test (and lint, bench) add the developer tools.  Each stamp records one install.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
RUNTIME_STAMP := $(VENV)/.runtime-stamp
DEV_STAMP     := $(VENV)/.dev-stamp
PIP    := $(BIN)/python -m pip install --quiet --disable-pip-version-check

# --pdf when LibreOffice is installed (xxgk looks for soffice or libreoffice)
PDF := $(if $(shell command -v soffice || command -v libreoffice),--pdf,)

.PHONY: demo test check typecheck lint templates bench bench-xlsx bench-check clean


$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(RUNTIME_STAMP): pyproject.toml | $(VENV)/bin/python
	$(PIP) -e .
	touch $(RUNTIME_STAMP)

$(DEV_STAMP): pyproject.toml $(RUNTIME_STAMP)
	$(PIP) -e '.[dev]'
	touch $(DEV_STAMP)

demo: $(RUNTIME_STAMP)
	$(BIN)/xxgk render inputs/xingtai-2022.toml -o out/ --html $(PDF)
	$(BIN)/xxgk render inputs/gov-2021-example.toml -o out/ --html $(PDF)
	$(BIN)/xxgk batch inputs/branches/ -o out/branches/ --defaults inputs/branches/_defaults.toml --summary out/branches/汇总.xlsx --html $(PDF)
	$(BIN)/xxgk aggregate inputs/branches/ --defaults inputs/branches/_defaults.toml --base inputs/branches/_center.toml -o out/branches/合计.toml --force
	$(BIN)/xxgk render out/branches/合计.toml -o out/branches/合计/ --html $(PDF)
	@echo "生成的报告在 out/ 文件夹中（每份报告都有 .docx 和可用浏览器打开的 .html）。"
ifeq ($(PDF),)
	@echo "未找到 LibreOffice，只生成了 .docx（用 Word 或 WPS 打开）。要同时生成 PDF，请安装 LibreOffice"
	@echo "（如 sudo apt-get install libreoffice-writer），再运行 make demo；或对单份报告用 xxgk render … --pdf。"
endif

test: typecheck
	$(BIN)/python -m pytest -q

typecheck: $(DEV_STAMP)
	$(BIN)/python -m mypy

lint: $(DEV_STAMP)
	$(BIN)/python -m ruff check src tests bench

templates: $(RUNTIME_STAMP)
	$(BIN)/python -m xxgk.template_builder templates

bench: $(DEV_STAMP)
	$(BIN)/python bench/bench.py

bench-xlsx: $(DEV_STAMP)
	$(BIN)/python bench/bench_xlsx.py

bench-check: $(DEV_STAMP)
	$(BIN)/python bench/bench_check.py 1000

clean:
	rm -rf out build dist .pytest_cache .mypy_cache
