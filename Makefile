# Two commands for a newcomer (see README.md): `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Two install stamps: `make run` installs only what running needs; `make test` adds the developer tools.
RUN_STAMP := $(VENV)/.installed-run
STAMP := $(VENV)/.installed

.PHONY: run test install lint format messages clean-data bench screenshots

run: $(RUN_STAMP)
	$(BIN)/python scripts/dev.py run

test: $(STAMP)
	$(BIN)/python scripts/dev.py test $(PYTEST_ARGS)

install: $(STAMP)

# Every benchmark on voivodeship-scale data, built first when absent (docs/performance.md). Needs BENCH_DATABASE_URL
# (or DATABASE_URL) naming a database of its own; BENCH_ARGS=--quick for a smoke run.
bench: $(STAMP)
	$(BIN)/python scripts/bench.py $(BENCH_ARGS)

# The README's screenshots, made by driving Chromium over the demo (CHROMIUM_PATH, default /usr/bin/chromium).
screenshots: $(STAMP)
	$(BIN)/python scripts/screenshots.py

$(RUN_STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e .
	touch $(RUN_STAMP)

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP) $(RUN_STAMP)

format: $(STAMP)
	$(BIN)/python -m ruff format .
	$(BIN)/python -m ruff check --fix .

messages: $(STAMP)
	$(BIN)/python manage.py makemessages -l pl -l en --no-location --no-obsolete -i '.venv/*' -i '.data/*'
	$(BIN)/python manage.py check_catalogue --compile-only

clean-data:
	rm -rf .data
