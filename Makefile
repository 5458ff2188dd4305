# The README's commands: `make run` and `make test` (plus `make bench`).
# Everything is installed into a local virtual environment on first use.

PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
STAMP = $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_WORKERS ?= 2

.PHONY: install run test lint bench messages clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/clientela manage migrate --no-input
	$(BIN)/clientela demo
	$(BIN)/clientela serve --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check clientela bench
	$(BIN)/ruff format --check clientela bench

test: lint
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist load -q

bench: install
	$(BIN)/clientela bench

messages: install
	cd clientela && ../$(BIN)/clientela manage makemessages -l es -l ca --no-obsolete \
		--ignore 'tests/*' --add-location file
	cd clientela && ../$(BIN)/clientela manage compilemessages

clean:
	rm -rf $(VENV) clientela-data
