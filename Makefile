# The two commands of README.md: `make run` and `make test`.
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
PYTHON ?= python3

export PUBLIC_BASE_URL ?= http://127.0.0.1:$(PORT)
export MAYAK_PORT := $(PORT)

.PHONY: run test install install-dev lint translations bench-intake bench-payments bench-delivery bench-closing bench-export clean

run: install
	$(BIN)/flask --app wsgi db upgrade
	@$(BIN)/flask --app wsgi user ensure-admin
	@echo
	@echo "  Mayak hub: $(PUBLIC_BASE_URL)   (sign in at $(PUBLIC_BASE_URL)/login)"
	@echo "  First run: the 'admin' password is printed above, once. Ctrl-C stops everything."
	@echo
	$(BIN)/honcho -f Procfile.dev start

test: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest
	MAYAK_TEST_STACK=production $(BIN)/pytest

install: $(VENV)/.runtime static/vendor/htmx.min.js static/vendor/swagger-ui/swagger-ui-bundle.js translations/ru/LC_MESSAGES/messages.mo

install-dev: install $(VENV)/.dev

$(VENV)/.runtime: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

SWAGGER_UI := swagger-ui-bundle.js swagger-ui.css LICENSE NOTICE

static/vendor/htmx.min.js static/vendor/swagger-ui/swagger-ui-bundle.js &: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	mkdir -p static/vendor/swagger-ui
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js
	cp $(addprefix node_modules/swagger-ui-dist/,$(SWAGGER_UI)) static/vendor/swagger-ui/
	touch static/vendor/htmx.min.js static/vendor/swagger-ui/swagger-ui-bundle.js

translations/ru/LC_MESSAGES/messages.mo: translations/ru/LC_MESSAGES/messages.po $(VENV)/.runtime
	$(BIN)/pybabel compile --use-fuzzy -d translations -l ru

# After adding UI strings: refresh the catalog, then translate the new entries in messages.po.
translations: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations -l ru --no-fuzzy-matching
	rm translations/messages.pot

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench-intake: install-dev
	$(BIN)/python bench/intake.py

bench-payments: install-dev
	$(BIN)/python bench/payments.py

bench-delivery: install-dev
	$(BIN)/python bench/delivery.py

bench-closing: install-dev
	$(BIN)/python bench/closing.py

bench-export: install-dev
	$(BIN)/python bench/export.py

clean:
	rm -rf $(VENV) node_modules static/vendor instance
