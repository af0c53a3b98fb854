# The two commands of the README: `make run` serves the demo, `make test` runs every test.
PYTHON ?= python3
VENV ?= .venv
FLASK = $(VENV)/bin/flask --app cta_learning
HOST ?= 127.0.0.1
PORT ?= 5000
# Links in the demo's emails lead to the address served here, unless CTA_PUBLIC_URL is set.
run serve: export CTA_PUBLIC_URL ?= http://$(if $(filter 0.0.0.0,$(HOST)),127.0.0.1,$(HOST)):$(PORT)

.PHONY: run test check install install-dev serve lint translations bench clean

run: install
	$(FLASK) db upgrade
	$(FLASK) courses import
	$(FLASK) seed-demo
	$(FLASK) run --host $(HOST) --port $(PORT)

test: check
	$(VENV)/bin/pytest -n auto

# Static checks before the tests: lint and format, types (mypy, set up in pyproject.toml), bandit
# on the code, pip-audit on the installed dependencies (a warning when its database is out of
# reach; see .ci/audit_dependencies.py).
check: install-dev
	$(VENV)/bin/ruff check cta_learning tests bench typings gunicorn.conf.py .ci
	$(VENV)/bin/ruff format --check cta_learning tests bench typings gunicorn.conf.py .ci
	$(VENV)/bin/mypy
	$(VENV)/bin/bandit -q -c pyproject.toml -r cta_learning
	$(VENV)/bin/python .ci/audit_dependencies.py

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

# gunicorn.conf.py runs one worker unless rate limits are shared: with no
# CTA_RATELIMIT_STORAGE_URI and redis-server installed, a local Redis (unix socket in
# instance/) is started and shared by several workers.
REDIS_SOCKET = $(CURDIR)/instance/redis.sock
serve: install
	$(FLASK) db upgrade
	$(FLASK) courses import
	@if [ -z "$$CTA_RATELIMIT_STORAGE_URI" ] && command -v redis-server >/dev/null; then \
	  mkdir -p instance; \
	  redis-cli -s $(REDIS_SOCKET) ping >/dev/null 2>&1 || redis-server --port 0 \
	    --unixsocket $(REDIS_SOCKET) --unixsocketperm 700 --save '' --appendonly no --daemonize yes \
	    --pidfile $(CURDIR)/instance/redis.pid --logfile $(CURDIR)/instance/redis.log; \
	  export CTA_RATELIMIT_STORAGE_URI=redis+unix://$(REDIS_SOCKET); \
	  echo "Rate limits shared through the local Redis at $(REDIS_SOCKET)"; \
	fi; \
	exec $(VENV)/bin/gunicorn -c gunicorn.conf.py --bind $(HOST):$(PORT)

lint: check

translations: install
	$(FLASK) translate update
	$(FLASK) translate compile

bench: install-dev
	$(VENV)/bin/python -m bench.run

clean:
	rm -rf $(VENV) .pytest_cache
