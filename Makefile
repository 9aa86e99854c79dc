# Two commands on a fresh machine with Python 3 and make:
#   make forecast   builds a virtual environment, runs the bundled assumptions, writes reports/
#   make test       runs the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
ASSUMPTIONS ?= assumptions/stoke-on-trent-2019
OUT ?= reports

.PHONY: forecast test lint bench golden clean

$(BIN)/forecast: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

forecast: $(BIN)/forecast
	$(BIN)/forecast run $(ASSUMPTIONS) --out $(OUT)

# Two worker processes, each test file wholly on one (its module fixtures are built once),
# handed out slowest file first in the order tests/conftest.py collects them. Bytecode is
# written even where the environment says not to (PYTHONDONTWRITEBYTECODE): otherwise each
# process, and each tool run a test starts, compiles the package and the tests again.
test: export PYTHONDONTWRITEBYTECODE =
test: $(BIN)/forecast
	$(BIN)/python -m ruff check .
	$(BIN)/python -m mypy
	$(BIN)/python -m pytest -n 2 --dist loadfile --no-loadscope-reorder

# After a change meant to move figures: rewrite the golden results, then review the diff.
golden: $(BIN)/forecast
	UPDATE_GOLDEN=1 $(BIN)/python -m pytest -q tests/test_golden.py
	git diff --stat tests/golden

bench: $(BIN)/forecast
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/trend_backtest.py

clean:
	rm -rf $(VENV) build *.egg-info
