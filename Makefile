# OMS: two commands for a newcomer.
#   make run   set up, migrate SQLite, load demo data and users, serve on http://127.0.0.1:8000/
#   make test  set up, lint, run the whole suite on SQLite, and on PostgreSQL when DATABASE_URL is set

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# The development server queues background work for a worker, as production does.
DEV_TASKS := django_tasks_db.DatabaseBackend
# The slice of the Online Retail history make run loads (about 2,000 orders).
DEMO_SINCE ?= 2011-11-21

.PHONY: run test test-sqlite test-postgres lint format setup bench clean-db

$(VENV)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $@

setup: $(VENV)/.installed

run: setup
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py createcachetable
	DEBUG=1 $(BIN)/python manage.py load_demo_data
	DEBUG=1 $(BIN)/python manage.py load_fulfillment_demo
	DEBUG=1 $(BIN)/python manage.py create_demo_users
	@# Recent order history from the Online Retail data set; its customers are made up,
	@# so the emails of the orders it keeps open go nowhere (a dummy mail backend).
	DEBUG=1 EMAIL_BACKEND=django.core.mail.backends.dummy.EmailBackend \
	  $(BIN)/python manage.py import_online_retail --since $(DEMO_SINCE) --shift --open 2
	DEBUG=1 $(BIN)/python manage.py issue_invoices
	@echo "== serving on http://$(HOST):$(PORT)/ with a background worker (emails, big PDFs, exports);"
	@echo "   log in as sales, warehouse, manager or admin with the password printed above"
	@DEBUG=1 TASKS_BACKEND=$(DEV_TASKS) $(BIN)/python manage.py db_worker --no-startup-delay & \
	  worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  DEBUG=1 TASKS_BACKEND=$(DEV_TASKS) $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: setup lint test-sqlite test-postgres

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	env -u DATABASE_URL DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

test-sqlite: setup
	env -u DATABASE_URL $(BIN)/pytest

test-postgres: setup
	@if [ -n "$$DATABASE_URL" ]; then \
		echo "== PostgreSQL: $$DATABASE_URL"; \
		$(BIN)/pytest; \
	else \
		echo "== DATABASE_URL not set: PostgreSQL run skipped"; \
	fi

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean-db:
	rm -f db.sqlite3 db.sqlite3-wal db.sqlite3-shm
