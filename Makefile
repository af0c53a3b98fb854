# The two commands of the README: `make run` serves the demo, `make test` runs every test.
PYTHON ?= python3
VENV ?= .venv
FLASK = $(VENV)/bin/flask --app cta_learning
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install install-dev serve lint translations bench clean

run: install
	$(FLASK) db upgrade
	$(FLASK) courses import
	$(FLASK) seed-demo
	$(FLASK) run --host $(HOST) --port $(PORT)

test: install-dev
	$(VENV)/bin/pytest -n auto

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

$(VENV)/bin/python:
	@$(PYTHON) -c "import ensurepip" 2>/dev/null || { \
	  echo "Python's venv module is missing: install it with 'apt-get install python3-venv'."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	touch $@

serve: install
	$(FLASK) db upgrade
	$(FLASK) courses import
	$(VENV)/bin/gunicorn --workers 2 --bind $(HOST):$(PORT) cta_learning.wsgi:app

lint: install-dev
	$(VENV)/bin/ruff check cta_learning tests bench

translations: install
	$(FLASK) translate update
	$(FLASK) translate compile

bench: install-dev
	$(VENV)/bin/python -m bench.run

clean:
	rm -rf $(VENV) .pytest_cache
