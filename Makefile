# The two commands a newcomer needs:  make run   and   make test
# Both install what they need (venv, Python packages, Debian packages) and are safe to run twice.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Dependencies: ranges in pyproject.toml, exact versions with hashes in the lock files (`make lock` writes them).
LOCKS := requirements.lock requirements-s3.lock requirements-dev.lock
# A new stamp, so a new install, whenever pyproject.toml or a lock file changes.
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml $(LOCKS) | sha1sum | cut -c1-12)
PG_URL ?= postgres://postgres@127.0.0.1:5432/scorecard
APT_PACKAGES := python3-venv python3-dev g++ pkg-config libicu-dev gettext chromium poppler-utils fonts-noto-core libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 postgresql-client
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test setup messages lock system-deps lint typecheck test-sqlite test-postgres demo worker bench screenshots clean

run: setup
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py load_content
	DEBUG=1 $(BIN)/python manage.py setup_demo
	DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:8000

# The two databases' runs go side by side, one per core (output grouped per run): CI stays well under 20 min.
test: setup lint typecheck
	$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres

setup: system-deps $(STAMP) messages

# The translation catalogues, locale/<lang>/LC_MESSAGES/django.po, compiled to the .mo files Django reads (not
# committed: .gitignore). compilemessages skips a catalogue whose .mo is newer than its .po.
messages: system-deps $(STAMP)
	DEBUG=1 $(BIN)/python manage.py compilemessages --ignore=.venv --ignore=static

# Debian packages: a browser for the end-to-end tests, fonts for every ASEAN script in the PDF report,
# Pango for WeasyPrint, pdftotext to read reports back, gettext to compile and check the translation catalogues.
# Installed only when something is missing.
system-deps:
	@missing=""; \
	for pkg in $(APT_PACKAGES); do dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

# The packages exactly as locked (every file checked against its hash), then the project itself, editable and
# without build isolation: setuptools comes from the lock too, so nothing unpinned is fetched for it.
$(STAMP): pyproject.toml $(LOCKS)
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11 or newer is required"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.lock
	PYTHONWARNINGS="ignore:Editable installation" $(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	rm -f $(VENV)/.installed-*
	touch $@

# Re-resolve the lock files from pyproject.toml, for Python 3.11 on Linux, with the hashes of every file of each
# release. Versions already locked stay unless a range excludes them; LOCK_ARGS=--upgrade takes the newest
# releases the ranges admit, LOCK_ARGS='--upgrade-package django' one package. uv runs from its own venv.
LOCK_TOOLS := $(VENV)/lock-tools
UV_VERSION := 0.13.9
LOCK_ARGS ?=
UV_COMPILE = $(LOCK_TOOLS)/bin/uv pip compile pyproject.toml --quiet --generate-hashes --python-version 3.11 \
	--python-platform linux --custom-compile-command "make lock" $(LOCK_ARGS)

lock:
	@$(LOCK_TOOLS)/bin/uv --version 2>/dev/null | grep -qF "uv $(UV_VERSION)" || { \
	  $(PYTHON) -m venv $(LOCK_TOOLS) && $(LOCK_TOOLS)/bin/python -m pip install --quiet "uv==$(UV_VERSION)"; }
	$(UV_COMPILE) -o requirements.lock
	$(UV_COMPILE) --extra s3 -c requirements.lock -o requirements-s3.lock
	$(UV_COMPILE) --extra dev -c requirements.lock -o requirements-dev.lock

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run
	DEBUG=1 $(BIN)/python manage.py check

typecheck: setup
	DEBUG=1 $(BIN)/mypy scorecard frameworks

test-sqlite: setup
	@echo "== Test suite on SQLite"
	$(BIN)/pytest

# On PostgreSQL whenever one is reachable; required when REQUIRE_POSTGRES=1 (CI).
test-postgres: setup
	@if pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then \
	  echo "== Test suite on PostgreSQL"; \
	  DATABASE_URL=$(PG_URL) $(BIN)/pytest; \
	elif [ "$${REQUIRE_POSTGRES:-0}" = 1 ]; then \
	  echo "PostgreSQL is required but not reachable on 127.0.0.1:5432"; exit 1; \
	else \
	  echo "== PostgreSQL not reachable on 127.0.0.1:5432: skipped the PostgreSQL run"; \
	fi

worker: setup
	$(BIN)/python manage.py db_worker

bench: setup
	DEBUG=1 $(BIN)/python bench/engine.py
	DEBUG=1 $(BIN)/python bench/report.py
	$(BIN)/python bench/section.py
	@if pg_isready -h 127.0.0.1 -p 5432 -q; then $(BIN)/python bench/scale.py --clients 10,100,500; fi
	@if pg_isready -h 127.0.0.1 -p 5432 -q; then $(BIN)/python bench/load.py; fi
	@if pg_isready -h 127.0.0.1 -p 5432 -q; then $(BIN)/python bench/exports.py; fi

screenshots: setup
	$(BIN)/python docs/screenshots/take.py

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* staticfiles .pytest_cache .mypy_cache .ruff_cache
